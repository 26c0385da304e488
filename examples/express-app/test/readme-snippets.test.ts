/**
 * Every TypeScript snippet of every README compiles under `strict`.
 *
 * The test reads README.md, README.zh-CN.md, CONTRIBUTING.md, packages/<dir>/README.md and
 * examples/<dir>/README.md, takes each fenced block tagged `ts` or `typescript`, and type-checks all
 * of them at once with the TypeScript compiler API (in this process, nothing emitted): the repo's
 * tsconfig.json (so `@campus-passport/*` resolve to the workspace sources through its `paths`),
 * plus `strict`, `noEmit` and `moduleDetection: force` (each snippet is its own module, top-level
 * `await` allowed). The snippets are not written anywhere: the compiler host serves them as
 * virtual files under examples/express-app/test/.snippets/, so `express`, `redis`, … resolve from
 * this example's node_modules and the root's, as in an app.
 *
 * A snippet is either complete (its own imports and declarations) or uses only the placeholders
 * of PREAMBLE below — an `app`, `passport`, and the values a reader fills in (ids, secrets, the
 * code or token a callback carries). Anything else a snippet uses it imports or declares itself.
 * A failure lists the README, the snippet's number in it (1-based, counting ts blocks only), the
 * line of the fence, and the diagnostics with their line inside the snippet.
 *
 * With the same compiler options, the type checker also reads the exported options types and checks
 * that each strategy README documents every option they have (OPTION_TABLES): a strategy's options
 * each in a table row of their own, a client's options at least named (in backticks) somewhere.
 *
 * Nothing is written to disk, so there is nothing to clean up or to gitignore.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');
const VIRTUAL_DIR = join(__dirname, '.snippets');

/**
 * The placeholders a snippet may use without declaring them (ambient, in a global declaration
 * file). A snippet that declares or imports the same name shadows it (each snippet is a module).
 */
const PREAMBLE = `
declare const app: import('express').Express;
declare const passport: import('passport').PassportStatic;
/** App credentials, as the platform gave them. */
declare const clientID: string, clientSecret: string, appID: string, appId: string, appKey: string, appCode: string, appSecret: string;
/** A platform origin or prefix. */
declare const baseURL: string;
/** What a callback or a frontend hands the app. */
declare const redirectURI: string, state: string, code: string, token: string, stoken: string, clientIp: string;
declare const accessToken: string, refreshToken: string, payload: string;
/** NCUOS verifyLogin options. */
declare const grantType: 'once' | 'refresh_token';
declare const valid: number;
/** A token store shared by the app's processes. */
declare const store: import('@campus-passport/core').TokenStore;
/** The disabled-aid platform's request signer. */
declare const signRequest: import('@campus-passport/disabled-aid').DisabledAidSigner;
`;

/**
 * README → the exported options types it documents: `rows` each option in the first cell of a
 * table row, `named` each option in backticks somewhere in the README.
 */
const OPTION_TABLES: Record<string, { module: string; rows: string[]; named: string[] }> = {
  'packages/strategy-hduhelp/README.md': {
    module: '@campus-passport/hduhelp',
    rows: ['HduHelpStrategyOptions', 'HduHelpUserTokenSourceOptions'],
    named: ['HduHelpClientOptions'],
  },
  'packages/strategy-ziqiang/README.md': {
    module: '@campus-passport/ziqiang',
    rows: ['ZiqiangStrategyOptions'],
    named: ['ZiqiangClientOptions'],
  },
  'packages/strategy-ncuos/README.md': {
    module: '@campus-passport/ncuos',
    rows: ['NcuosStrategyOptions', 'RequireAccessTokenOptions'],
    named: ['GeniusAuthClientOptions'],
  },
  'packages/strategy-disabled-aid/README.md': {
    module: '@campus-passport/disabled-aid',
    rows: ['DisabledAidStrategyOptions'],
    named: ['DisabledAidClientOptions'],
  },
  'packages/strategy-zafu/README.md': {
    module: '@campus-passport/zafu',
    rows: ['ZafuStrategyOptions', 'ZafuOpenPlatformOptions'],
    named: ['ZafuOAuthClientOptions'],
  },
};

/**
 * Snippets this test may not fix (their files belong to another change), by `<readme>#<index>`,
 * with what would fix them. The test asserts they still fail to compile, so an entry goes stale
 * loudly: remove it once its README is fixed.
 */
const PENDING: Record<string, string> = {};

/** One fenced ts block. */
interface Snippet {
  /** The README, relative to the repository root. */
  readme: string;
  /** 1-based, counting the README's ts blocks. */
  index: number;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** The virtual file it is compiled as. */
  file: string;
}

function readmes(): string[] {
  const top = ['README.md', 'README.zh-CN.md', 'CONTRIBUTING.md'].map((f) => join(ROOT, f));
  const nested = ['packages', 'examples'].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((dir) => join(ROOT, group, dir, 'README.md')),
  );
  return [...top, ...nested].filter((f) => existsSync(f));
}

/** The ts / typescript blocks of one markdown file (an indented fence: its indent is removed). */
function extractSnippets(markdown: string, readme: string): Omit<Snippet, 'file'>[] {
  const out: Omit<Snippet, 'file'>[] = [];
  const lines = markdown.split(/\r?\n/);
  let open: { indent: string; lang: string; line: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const fence = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(text);
    if (!open) {
      if (fence) open = { indent: fence[1], lang: fence[3].toLowerCase(), line: i + 1, body: [] };
      return;
    }
    if (fence && fence[3] === '') {
      if (open.lang === 'ts' || open.lang === 'typescript') {
        const indent = open.indent;
        const code = open.body.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n');
        out.push({ readme, index: out.length + 1, line: open.line, code });
      }
      open = undefined;
      return;
    }
    open.body.push(text);
  });
  return out;
}

function collect(): Snippet[] {
  return readmes().flatMap((path) => {
    const readme = relative(ROOT, path);
    const slug = readme.replace(/[^A-Za-z0-9]+/g, '_');
    return extractSnippets(readFileSync(path, 'utf8'), readme).map((s) => ({
      ...s,
      file: join(VIRTUAL_DIR, `${slug}_${s.index}.ts`),
    }));
  });
}

/** The compiler options: the repo's tsconfig.json, strict, nothing emitted, every snippet a module. */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('could not read tsconfig.json');
  return {
    ...parsed.options,
    strict: true,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    moduleDetection: ts.ModuleDetectionKind.Force,
    types: ['node'],
  };
}

const PREAMBLE_FILE = join(VIRTUAL_DIR, 'preamble.d.ts');

/** One program over the preamble and these virtual files (path → text), on the repo's tsconfig. */
function program(files: Map<string, string>): ts.Program {
  const options = compilerOptions();
  const virtual = new Map<string, string>([[PREAMBLE_FILE, PREAMBLE], ...files]);
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text === undefined ? getSourceFile.call(host, f, lang, onError, create) : ts.createSourceFile(f, text, lang, true);
  };
  return ts.createProgram([...virtual.keys()], options, host);
}

/** Type-check the snippets together; the diagnostics in each snippet, formatted. */
function check(snippets: Snippet[]): Map<Snippet, string[]> {
  const built = program(new Map(snippets.map((s) => [s.file, s.code])));
  const byFile = new Map(snippets.map((s) => [s.file, s]));
  const found = new Map<Snippet, string[]>();
  for (const d of ts.getPreEmitDiagnostics(built)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) throw new Error(`compiler: TS${d.code} ${text}`);
    if (d.file.fileName === PREAMBLE_FILE) throw new Error(`the preamble does not compile: TS${d.code} ${text}`);
    const snippet = byFile.get(d.file.fileName);
    if (!snippet) continue; // a workspace source file: its own package's typecheck reports it
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    found.set(snippet, [...(found.get(snippet) ?? []), `  snippet line ${line + 1}:${character + 1} TS${d.code} ${text}`]);
  }
  return found;
}

/** The property names of each exported options type, read with the type checker. */
function optionNames(): Map<string, string[]> {
  const file = join(VIRTUAL_DIR, 'options.ts');
  const lines = Object.values(OPTION_TABLES).flatMap(({ module, rows, named }) =>
    [...rows, ...named].map((type) => `export declare const ${type}: import('${module}').${type};`),
  );
  const built = program(new Map([[file, lines.join('\n')]]));
  const errors = ts.getPreEmitDiagnostics(built, built.getSourceFile(file));
  if (errors.length) throw new Error(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'));
  const checker = built.getTypeChecker();
  const names = new Map<string, string[]>();
  for (const statement of built.getSourceFile(file)!.statements) {
    const decl = (statement as ts.VariableStatement).declarationList.declarations[0];
    const type = checker.getTypeAtLocation(decl.name);
    names.set(
      decl.name.getText(),
      checker.getPropertiesOfType(type).map((p) => p.getName()),
    );
  }
  return names;
}

describe('README snippets', () => {
  const snippets = collect();

  it('finds the snippets (every README with a ts block, blocks numbered per README)', () => {
    const per = new Map<string, number>();
    for (const s of snippets) per.set(s.readme, (per.get(s.readme) ?? 0) + 1);
    expect(per.get('README.md')).toBeGreaterThanOrEqual(1);
    expect(per.get('README.zh-CN.md')).toBeGreaterThanOrEqual(1);
    for (const pkg of ['core', 'strategy-hduhelp', 'strategy-ncuos', 'strategy-zafu'])
      expect(per.get(`packages/${pkg}/README.md`)).toBeGreaterThanOrEqual(1);
    expect(snippets.length).toBeGreaterThanOrEqual(20);
  });

  it('extracts fenced ts blocks only, indented fences included', () => {
    const md = ['# x', '```ts', 'const a = 1;', '```', '```js', 'nope', '```', '  ```typescript', '  const b = 2;', '  ```'].join(
      '\n',
    );
    expect(extractSnippets(md, 'x.md')).toEqual([
      { readme: 'x.md', index: 1, line: 2, code: 'const a = 1;' },
      { readme: 'x.md', index: 2, line: 8, code: 'const b = 2;' },
    ]);
  });

  it('catches a snippet that does not compile (the check itself works)', () => {
    const broken: Snippet = {
      readme: 'x.md',
      index: 1,
      line: 1,
      code: 'const n: number = "one";',
      file: join(VIRTUAL_DIR, 'x.ts'),
    };
    const unknownName: Snippet = { readme: 'x.md', index: 2, line: 5, code: 'undeclared.go();', file: join(VIRTUAL_DIR, 'y.ts') };
    const fine: Snippet = {
      readme: 'x.md',
      index: 3,
      line: 9,
      code: 'app.get("/", (_req, res) => res.send(code));',
      file: join(VIRTUAL_DIR, 'z.ts'),
    };
    // a workspace package resolves (no TS2307) and is checked against its real types
    const wrongOption: Snippet = {
      readme: 'x.md',
      index: 4,
      line: 12,
      code: "import { ZiqiangClient } from '@campus-passport/ziqiang';\nnew ZiqiangClient({ appKey, appSecret, appsecret: 'typo' });",
      file: join(VIRTUAL_DIR, 'w.ts'),
    };
    const found = check([broken, unknownName, fine, wrongOption]);
    expect(found.get(wrongOption)?.join('\n')).toMatch(/snippet line 2:.*TS2561.*'appsecret'.*ZiqiangClientOptions/);
    expect(found.get(broken)?.join('\n')).toMatch(/TS2322/);
    expect(found.get(unknownName)?.join('\n')).toMatch(/TS2304.*undeclared/);
    expect(found.has(fine)).toBe(false);
  });

  it('every snippet compiles under strict', () => {
    const found = check(snippets);
    const report = [...found]
      .filter(([s]) => !(`${s.readme}#${s.index}` in PENDING))
      .map(([s, lines]) => `${s.readme} snippet #${s.index} (fence at line ${s.line}):\n${lines.join('\n')}`);
    expect(report).toEqual([]);
    // the pending ones still fail (else: remove them from PENDING)
    const failing = new Set([...found.keys()].map((s) => `${s.readme}#${s.index}`));
    expect(Object.keys(PENDING).filter((key) => !failing.has(key))).toEqual([]);
  });
});

describe('README option tables', () => {
  const names = optionNames();

  it.each(Object.entries(OPTION_TABLES))('%s documents every option of its options types', (readme, { rows, named }) => {
    const text = readFileSync(join(ROOT, readme), 'utf8');
    const firstCells = text
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .map((l) => l.split('|')[1] ?? '');
    const missing: string[] = [];
    for (const type of rows)
      for (const option of names.get(type)!)
        if (!firstCells.some((cell) => cell.includes(`\`${option}\``))) missing.push(`${type}.${option} (no table row)`);
    for (const type of named)
      for (const option of names.get(type)!) if (!text.includes(`\`${option}\``)) missing.push(`${type}.${option} (not named)`);
    expect(missing).toEqual([]);
  });
});
