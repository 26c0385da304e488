/**
 * `pnpm new:platform <name> --demo` in a clean copy of the repository: the scaffold writes a
 * strategy package, its emulator, a contract test, the registry entry and the demo wiring; the
 * result type-checks strictly, is lint-clean, and its conformance matrix, strategy, profile and
 * contract tests pass — as do the registry, CLI and demo tests with the sixth platform in place,
 * and the demo's login flow for it. The copy reuses this checkout's node_modules by symlink (no
 * network) and is removed afterwards.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '../../..');
const NAME = 'sixth';
const ROOT_FILES = [
  'package.json',
  'tsconfig.json',
  'tsconfig.base.json',
  'tsconfig.build.json',
  'tsconfig.jest.json',
  'jest.config.ts',
  'eslint.config.mjs',
  '.prettierrc.json',
  '.prettierignore',
];
const SKIP = /(^|[\\/])(node_modules|dist|coverage|test-output|\.turbo)([\\/]|$)/;

const DEMO = 'examples/express-app';
const DEMO_EDITS = ['src/platforms/index.ts', 'package.json', '.env.example'];

let copy: string;
let scaffolded: SpawnSyncReturns<string>;
let demoBefore: Record<string, string>;

/** Run a node script in the copy; the child gets no Jest worker or summary-file variables. */
function run(args: string[], timeout = 120_000): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, CAMPUS_SUMMARY_FILE: join(copy, 'summary.json') };
  delete env.JEST_WORKER_ID;
  return spawnSync(process.execPath, args, { cwd: copy, env, encoding: 'utf8', timeout });
}

const bin = (pkg: string, file: string) => join(root, 'node_modules', pkg, file);
const output = (r: SpawnSyncReturns<string>) => `${r.stdout}\n${r.stderr}`.slice(-6000);

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'campus-scaffold-'));
  for (const f of ROOT_FILES) cpSync(join(root, f), join(copy, f));
  for (const dir of ['scripts', 'templates', 'packages', DEMO])
    cpSync(join(root, dir), join(copy, dir), { recursive: true, filter: (src) => !SKIP.test(relative(root, src)) });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const workspaces = [...readdirSync(join(root, 'packages')).map((p) => `packages/${p}`), DEMO];
  for (const dir of workspaces)
    if (existsSync(join(root, dir, 'node_modules')))
      symlinkSync(join(root, dir, 'node_modules'), join(copy, dir, 'node_modules'), 'dir');
  demoBefore = Object.fromEntries(DEMO_EDITS.map((f) => [f, readFileSync(join(copy, DEMO, f), 'utf8')]));
  scaffolded = run(['scripts/new-platform.mjs', NAME, '--title-zh', '第六平台', '--title-en', 'Sixth platform', '--demo']);
}, 60_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('pnpm new:platform', () => {
  const strategyDir = `packages/strategy-${NAME}`;
  const generated = () => [
    ...readdirSync(join(copy, strategyDir), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => relative(copy, join(d.parentPath, d.name))),
    `packages/mock-platforms/src/platforms/${NAME}/index.ts`,
    `packages/mock-platforms/test/${NAME}.contract.test.ts`,
    `${DEMO}/src/platforms/${NAME}.ts`,
  ];

  it('writes the strategy package, its emulator, a contract test and the registry entry', () => {
    expect(output(scaffolded)).toContain(`scaffolded "${NAME}"`);
    expect(scaffolded.status).toBe(0);
    expect(generated().sort()).toEqual(
      [
        `${strategyDir}/CHANGELOG.md`,
        `${strategyDir}/README.md`,
        `${strategyDir}/package.json`,
        `${strategyDir}/tsup.config.ts`,
        `${strategyDir}/src/client.ts`,
        `${strategyDir}/src/index.ts`,
        `${strategyDir}/src/profile.ts`,
        `${strategyDir}/src/strategy.ts`,
        `${strategyDir}/test/conformance.test.ts`,
        `${strategyDir}/test/fixtures/token.json`,
        `${strategyDir}/test/fixtures/user.json`,
        `${strategyDir}/test/helpers.ts`,
        `${strategyDir}/test/profile.test.ts`,
        `${strategyDir}/test/strategy.test.ts`,
        `packages/mock-platforms/src/platforms/${NAME}/index.ts`,
        `packages/mock-platforms/test/${NAME}.contract.test.ts`,
        `${DEMO}/src/platforms/${NAME}.ts`,
      ].sort(),
    );
    for (const f of generated()) expect([f, /tmpl/i.test(readFileSync(join(copy, f), 'utf8'))]).toEqual([f, false]);
    const pkg = JSON.parse(readFileSync(join(copy, strategyDir, 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe(`@campus-passport/${NAME}`);
    const emulator = readFileSync(join(copy, `packages/mock-platforms/src/platforms/${NAME}/index.ts`), 'utf8');
    expect(emulator).toContain('export const DEFAULT_PORT = 4106;');
    expect(emulator).toContain('export async function startSixthEmulator(');
    const registry = readFileSync(join(copy, 'packages/mock-platforms/src/registry.ts'), 'utf8');
    expect(registry).toContain(`from './platforms/${NAME}';\n// new:platform imports go above this line`);
    expect(registry).toMatch(
      /name: 'sixth',\s+packageName: '@campus-passport\/sixth',\s+title: \{ zh: '第六平台', en: 'Sixth platform' \}/,
    );
    expect(registry).toMatch(/start: \(o\) => startSixthEmulator\(o\),\s+\},\s+\/\/ new:platform entries go above this line/);
  });

  it('--demo: the wiring file and exactly three demo edits, each adding only the platform', () => {
    const diff = (f: string) => {
      const before = new Set(demoBefore[f].split('\n'));
      const after = readFileSync(join(copy, DEMO, f), 'utf8').split('\n');
      return { added: after.filter((l) => !before.has(l)), removed: [...before].filter((l) => !after.includes(l)) };
    };
    expect(diff('src/platforms/index.ts')).toEqual({
      added: [
        "import { sixth } from './sixth';",
        'export const PLATFORMS: readonly PlatformWiring[] = [hduhelp, ziqiang, ncuos, disabledAid, zafu, sixth];',
      ],
      removed: ['export const PLATFORMS: readonly PlatformWiring[] = [hduhelp, ziqiang, ncuos, disabledAid, zafu];'],
    });
    expect(diff('package.json')).toEqual({ added: ['    "@campus-passport/sixth": "workspace:^",'], removed: [] });
    const env = diff('.env.example');
    expect(env.removed).toEqual([]);
    expect(env.added).toEqual(
      expect.arrayContaining([
        '# 第六平台 Sixth platform — callback: <PUBLIC_URL>/auth/sixth/callback',
        '# SIXTH_APP_ID=',
        '# SIXTH_APP_SECRET=',
      ]),
    );
  });

  it('refuses bad and existing names with a clear message, writing nothing (and --dry-run writes nothing)', () => {
    const registry = readFileSync(join(copy, 'packages/mock-platforms/src/registry.ts'), 'utf8');
    const cases: Array<[string[], RegExp]> = [
      [[], /give the platform a name/],
      [['Bad_Name'], /"Bad_Name" is not a valid platform name: use lowercase letters a-z, digits and single hyphens/],
      [['9lives'], /"9lives" is not a valid platform name/],
      [['a--b'], /"a--b" is not a valid platform name/],
      [['core'], /"core" is reserved/],
      [['hduhelp'], /the platform "hduhelp" exists already: packages\/strategy-hduhelp/],
      [[NAME], /the platform "sixth" exists already: packages\/strategy-sixth, .*an entry in the platform registry/],
      [['seventh', '--port', '4101'], /port 4101 is another emulator's/],
      [['seventh', '--title-zh', "it's"], /--title-zh must be 1–60 characters without quotes/],
      [['seventh', '--colour'], /unknown option --colour/],
    ];
    for (const [args, message] of cases) {
      const r = run(['scripts/new-platform.mjs', ...args], 20_000);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 1, expect.stringMatching(message)]);
    }
    const dry = run(['scripts/new-platform.mjs', 'seventh', '--dry-run'], 20_000);
    expect([dry.status, dry.stdout]).toEqual([0, expect.stringContaining('packages/strategy-seventh/src/strategy.ts')]);
    expect(existsSync(join(copy, 'packages/strategy-seventh'))).toBe(false);
    expect(readFileSync(join(copy, 'packages/mock-platforms/src/registry.ts'), 'utf8')).toBe(registry);
  }, 60_000);

  it('the generated code type-checks strictly (declarations included) and is lint-clean', () => {
    writeFileSync(
      join(copy, 'tsconfig.scaffold.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { noEmit: false, emitDeclarationOnly: true, declaration: true, outDir: '.scaffold-decl', rootDir: '.' },
        include: [
          `${strategyDir}/src`,
          `${strategyDir}/test`,
          'packages/mock-platforms/src/registry.ts',
          `packages/mock-platforms/test/${NAME}.contract.test.ts`,
          `${DEMO}/src`,
          `${DEMO}/test`,
        ],
      }),
    );
    const tsc = run([bin('typescript', 'bin/tsc'), '-p', 'tsconfig.scaffold.json']);
    expect(output(tsc)).not.toMatch(/error TS/);
    expect(tsc.status).toBe(0);
    expect(existsSync(join(copy, '.scaffold-decl', strategyDir, 'src/strategy.d.ts'))).toBe(true);

    const files = [
      ...generated().filter((f) => /\.(ts|json)$/.test(f)),
      'packages/mock-platforms/src/registry.ts',
      `${DEMO}/src/platforms/index.ts`,
      `${DEMO}/package.json`,
    ];
    const eslint = run([bin('eslint', 'bin/eslint.js'), ...files.filter((f) => f.endsWith('.ts'))]);
    expect(output(eslint)).toBe('\n');
    expect(eslint.status).toBe(0);
    const prettier = run([bin('prettier', 'bin/prettier.cjs'), '--check', ...files]);
    expect(output(prettier)).toContain('All matched files use Prettier code style');
  }, 120_000);

  it('its conformance matrix, strategy, profile and contract tests pass, and so do the registry, CLI and demo tests', () => {
    const result = join(copy, 'jest.json');
    const jest = run([
      bin('jest', 'bin/jest.js'),
      '--ci',
      `--outputFile=${result}`,
      '--json',
      // the copy has no build of the sixth platform: the CLI's test of the *built* bin is the real repo's
      '--testNamePattern',
      '^(?!.*the built package)',
      strategyDir,
      `packages/mock-platforms/test/${NAME}.contract.test.ts`,
      'packages/mock-platforms/test/registry.test.ts',
      'packages/mock-platforms/test/cli.test.ts',
      `${DEMO}/test/registry.test.ts`,
      `${DEMO}/test/config.test.ts`,
      `${DEMO}/test/env-example.test.ts`,
    ]);
    expect(existsSync(result)).toBe(true);
    const report = JSON.parse(readFileSync(result, 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
      numRuntimeErrorTestSuites: number;
      testResults: Array<{ name: string; status: string; assertionResults: Array<{ fullName: string; status: string }> }>;
    };
    const failed = report.testResults.flatMap((s) =>
      s.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName),
    );
    expect([failed, report.numRuntimeErrorTestSuites, jest.status]).toEqual([[], 0, 0]);
    expect(report.testResults.map((s) => relative(copy, s.name)).sort()).toEqual(
      [
        `${strategyDir}/test/conformance.test.ts`,
        `${strategyDir}/test/profile.test.ts`,
        `${strategyDir}/test/strategy.test.ts`,
        `packages/mock-platforms/test/${NAME}.contract.test.ts`,
        'packages/mock-platforms/test/cli.test.ts',
        'packages/mock-platforms/test/registry.test.ts',
        `${DEMO}/test/registry.test.ts`,
        `${DEMO}/test/config.test.ts`,
        `${DEMO}/test/env-example.test.ts`,
      ].sort(),
    );
    const names = report.testResults.flatMap((s) => s.assertionResults.map((a) => a.fullName));
    // both conformance matrices ran in full, and the registry saw the sixth platform
    expect(names.filter((n) => n.startsWith('conformance: sixth'))).toHaveLength(30);
    expect(names).toContain('platform registry sixth: its strategy package, titles, port and test user');
    expect(names).toContain('.env.example has a block for sixth with all its variables and its callback');
    expect(report.numPassedTests).toBeGreaterThanOrEqual(100);
  }, 180_000);

  it("the demo's login flow for the sixth platform: redirect → its emulator's login page → callback → profile → logout", () => {
    const result = join(copy, 'flows.json');
    const jest = run([
      bin('jest', 'bin/jest.js'),
      '--ci',
      `--outputFile=${result}`,
      '--json',
      `${DEMO}/test/flows.test.ts`,
      '-t',
      '^sixth: ',
    ]);
    const report = JSON.parse(readFileSync(result, 'utf8')) as {
      testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
    };
    const ran = report.testResults.flatMap((s) => s.assertionResults.filter((a) => a.status !== 'pending'));
    expect(ran.map((a) => [a.fullName, a.status])).toEqual([
      [
        'sixth: redirect → emulator login → callback → profile → logout signs in as 张三, with a new session id, back to returnTo',
        'passed',
      ],
    ]);
    expect(jest.status).toBe(0);
  }, 120_000);
});
