#!/usr/bin/env node
// `pnpm new:platform <name>`: scaffold a new platform from templates/platform/ — its strategy
// package (packages/strategy-<name>/), its emulator (packages/mock-platforms/src/platforms/<name>/)
// with a contract test, and its entry in the platform registry (packages/mock-platforms/src/registry.ts,
// at the two `new:platform` marker lines). With --demo it also wires the platform into the demo app
// (a wiring file and three edits in examples/express-app). Prints the remaining steps. See CONTRIBUTING.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const USAGE = `usage: pnpm new:platform <name> [--title-zh 中文名] [--title-en "English name"] [--port 4106] [--demo] [--root <repo>] [--dry-run]

  <name>       lowercase letters, digits and single hyphens, starting with a letter (e.g. xuexi-tong):
               the package @campus-passport/<name>, the strategy name, the route /auth/<name>
  --title-zh   what Chinese users call the platform (default: "<name>（待填写中文名）")
  --title-en   its English name (default: <name>)
  --port       the emulator's fixed local port (default: one above the highest registered)
  --demo       also wire it into examples/express-app: src/platforms/<name>.ts, its entry in
               src/platforms/index.ts, its dependency in package.json, its block in .env.example
  --root       the repository to write into (default: the one this script lives in)
  --dry-run    print what would be written, write nothing`;

const IMPORT_MARKER = '// new:platform imports go above this line';
const ENTRY_MARKER = '  // new:platform entries go above this line';
/** Names the workspace or the package exports already use. */
const RESERVED = new Set(['core', 'mock-platforms', 'testing', 'kit', 'cli', 'index', 'platforms', 'dist', 'bench', 'package']);

class UsageError extends Error {}

function parseArgs(argv) {
  const out = {
    name: undefined,
    titleZh: undefined,
    titleEn: undefined,
    port: undefined,
    root: undefined,
    dryRun: false,
    demo: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--title-zh') out.titleZh = value();
    else if (a === '--title-en') out.titleEn = value();
    else if (a === '--port') out.port = value();
    else if (a === '--root') out.root = value();
    else if (a === '--dry-run') out.dryRun = true;
    else if (a === '--demo') out.demo = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else if (out.name === undefined) out.name = a;
    else throw new UsageError(`one name only (got "${out.name}" and "${a}")`);
  }
  return out;
}

function checkName(name) {
  if (name === undefined || name === '') throw new UsageError('give the platform a name, e.g. `pnpm new:platform xuexi-tong`');
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name))
    throw new UsageError(
      `"${name}" is not a valid platform name: use lowercase letters a-z, digits and single hyphens, starting with a letter (e.g. xuexi-tong)`,
    );
  if (name.length > 32) throw new UsageError(`"${name}" is too long (at most 32 characters)`);
  if (RESERVED.has(name) || name.startsWith('example') || name.includes('tmpl'))
    throw new UsageError(`"${name}" is reserved in this repository; pick another name`);
}

function checkTitle(title, option) {
  if (!title.trim() || title.length > 60 || /['"`\\<>\n\r$]/.test(title))
    throw new UsageError(`${option} must be 1–60 characters without quotes, backslashes, <, > or $`);
  return title.trim();
}

const pascal = (name) =>
  name
    .split('-')
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
const constant = (name) => name.toUpperCase().replace(/-/g, '_');

/** Every `export const DEFAULT_PORT = <n>` of the registered emulators. */
function usedPorts(platformsDir) {
  const ports = [];
  for (const dir of readdirSync(platformsDir)) {
    const folder = join(platformsDir, dir);
    if (!statSync(folder).isDirectory()) continue;
    for (const f of readdirSync(folder).filter((x) => x.endsWith('.ts'))) {
      const m = /export const DEFAULT_PORT\s*=\s*(\d+)/.exec(readFileSync(join(folder, f), 'utf8'));
      if (m) ports.push(Number(m[1]));
    }
  }
  return ports;
}

/** All files under a directory, as paths relative to it. */
function walk(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name), join(prefix, d.name)) : [join(prefix, d.name)],
  );
}

async function main(argv) {
  const args = parseArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const root = resolve(args.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const templates = join(root, 'templates/platform');
  const registryFile = join(root, 'packages/mock-platforms/src/registry.ts');
  const platformsDir = join(root, 'packages/mock-platforms/src/platforms');
  if (!existsSync(templates) || !existsSync(registryFile))
    throw new UsageError(`${root} is not a campus-passport checkout (no templates/platform or platform registry)`);

  const name = args.name;
  checkName(name);
  const Name = pascal(name);
  const NAME = constant(name);
  const titleZh = checkTitle(args.titleZh ?? `${name}（待填写中文名）`, '--title-zh');
  const titleEn = checkTitle(args.titleEn ?? name, '--title-en');

  // refuse anything that exists already
  const strategyDir = join(root, 'packages', `strategy-${name}`);
  const emulatorDir = join(platformsDir, name);
  const contractFile = join(root, 'packages/mock-platforms/test', `${name}.contract.test.ts`);
  const registry = readFileSync(registryFile, 'utf8');
  const taken = [
    existsSync(strategyDir) && relative(root, strategyDir),
    existsSync(emulatorDir) && relative(root, emulatorDir),
    existsSync(contractFile) && relative(root, contractFile),
    registry.includes(`name: '${name}'`) && 'an entry in the platform registry',
  ].filter(Boolean);
  for (const group of ['packages', 'examples'])
    for (const dir of existsSync(join(root, group)) ? readdirSync(join(root, group)) : []) {
      const pkg = join(root, group, dir, 'package.json');
      if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === `@campus-passport/${name}`)
        taken.push(`the package name @campus-passport/${name} (${group}/${dir})`);
    }
  if (taken.length) throw new UsageError(`the platform "${name}" exists already: ${[...new Set(taken)].join(', ')}`);
  if (!registry.includes(IMPORT_MARKER) || !registry.includes(ENTRY_MARKER))
    throw new UsageError(
      `the registry has lost its marker lines ("${IMPORT_MARKER.trim()}", "${ENTRY_MARKER.trim()}"); add them back`,
    );

  const ports = usedPorts(platformsDir);
  const port = args.port === undefined ? Math.max(4100, ...ports) + 1 : Number(args.port);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) throw new UsageError('--port must be a whole number 1024–65535');
  if (ports.includes(port)) throw new UsageError(`port ${port} is another emulator's`);

  const camel = Name[0].toLowerCase() + Name.slice(1);
  const tokens = {
    TMPL_TITLE_ZH: titleZh,
    TMPL_TITLE_EN: titleEn,
    TMPL_PORT: String(port),
    TMPL: NAME,
    Tmpl: Name,
    tmplId: camel,
    tmpl: name,
  };
  const fill = (text) => text.replace(/TMPL_TITLE_ZH|TMPL_TITLE_EN|TMPL_PORT|TMPL|Tmpl|tmplId|tmpl/g, (t) => tokens[t]);
  const rel = (f) => relative(root, f);

  /** [destination, content] of every file to write. */
  const files = [];
  for (const f of walk(join(templates, 'strategy')))
    files.push([join(strategyDir, f), fill(readFileSync(join(templates, 'strategy', f), 'utf8'))]);
  for (const f of walk(join(templates, 'emulator')))
    files.push([join(emulatorDir, f), fill(readFileSync(join(templates, 'emulator', f), 'utf8'))]);
  files.push([contractFile, fill(readFileSync(join(templates, 'emulator.contract.test.ts'), 'utf8'))]);
  /** [file, new content] of every existing file to change. */
  const edits = [];
  if (args.demo)
    demoWiring({
      root,
      name,
      camel,
      NAME,
      titleZh,
      titleEn,
      files,
      edits,
      fill: (f) => fill(readFileSync(join(templates, f), 'utf8')),
    });
  for (const [file, text] of files)
    if (/tmpl/i.test(text)) throw new Error(`template placeholder left in ${rel(file)} (fix templates/platform)`);

  const importLine = `import { DEFAULT_PORT as ${NAME}_PORT, ${NAME}_APP, ${NAME}_USERS, start${Name}Emulator } from './platforms/${name}';\n`;
  const entry = [
    '  {',
    `    name: '${name}',`,
    `    packageName: '@campus-passport/${name}',`,
    `    title: { zh: '${titleZh}', en: '${titleEn}' },`,
    `    port: ${NAME}_PORT,`,
    `    loginPath: \`/oauth/authorize?app_id=\${${NAME}_APP.appId}&redirect_uri=\${LOCAL_CALLBACK}\`,`,
    `    testUser: { value: ${NAME}_USERS[0].id, name: ${NAME}_USERS[0].name },`,
    `    start: (o) => start${Name}Emulator(o),`,
    '  },',
    '',
  ].join('\n');
  edits.unshift([
    registryFile,
    registry.replace(IMPORT_MARKER, `${importLine}${IMPORT_MARKER}`).replace(ENTRY_MARKER, `${entry}${ENTRY_MARKER}`),
  ]);

  if (args.dryRun) {
    console.log(`new:platform ${name} (dry run): would write`);
    for (const [file] of files) console.log(`  ${rel(file)}`);
    console.log(`and edit ${edits.map(([f]) => rel(f)).join(', ')}; the registry gets:\n${importLine}${entry}`);
    return;
  }

  const prettier = await loadPrettier(root);
  const format = async (file, text) => {
    if (!prettier || !/\.(ts|mjs|json)$/.test(file)) return text;
    const options = (await prettier.resolveConfig(file)) ?? {};
    return prettier.format(text, { ...options, filepath: file });
  };
  for (const [file, text] of files) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await format(file, text));
  }
  for (const [file, text] of edits) writeFileSync(file, await format(file, text));

  console.log(`new:platform: scaffolded "${name}" (${titleZh} / ${titleEn}), emulator port ${port}
  ${rel(strategyDir)}/        the strategy package (${files.filter(([f]) => f.startsWith(strategyDir)).length} files)
  ${rel(emulatorDir)}/        its emulator
  ${rel(contractFile)}        the emulator's contract test
  ${rel(registryFile)}        + its registry entry (import and entry at the new:platform markers)${
    args.demo
      ? `
  examples/express-app/src/platforms/${name}.ts        its demo wiring
  examples/express-app/{src/platforms/index.ts,package.json,.env.example}   + the platform (demo edits)`
      : ''
  }

Next:
  1. pnpm install                 link the new package into the workspace (updates pnpm-lock.yaml)
  2. pnpm exec jest packages/strategy-${name} ${rel(contractFile)}
  3. hold the emulator to the official source: every "unconfirmed (template)" comment, the
     contract test and the README's Sources table (CONTRIBUTING.md, "Holding the emulator to the source")${
       args.demo
         ? ''
         : `
  4. to show it in the demo (optional): run again with --demo on a fresh name, or add a wiring
     examples/express-app/src/platforms/${name}.ts, its entry in src/platforms/index.ts,
     "@campus-passport/${name}": "workspace:^" in its package.json and its block in .env.example`
     }`);
}

/**
 * --demo: the demo app's wiring file (a new file) and its three edits — the wiring's entry in
 * PLATFORMS, the package as a dependency, the variables' block in .env.example.
 */
function demoWiring({ root, name, camel, NAME, titleZh, titleEn, files, edits, fill }) {
  const demo = join(root, 'examples/express-app');
  const wiringFile = join(demo, 'src/platforms', `${name}.ts`);
  const indexFile = join(demo, 'src/platforms/index.ts');
  const pkgFile = join(demo, 'package.json');
  const envFile = join(demo, '.env.example');
  for (const f of [indexFile, pkgFile, envFile])
    if (!existsSync(f)) throw new UsageError(`--demo: ${relative(root, f)} is missing`);
  if (existsSync(wiringFile)) throw new UsageError(`--demo: ${relative(root, wiringFile)} exists already`);
  files.push([wiringFile, fill('demo-wiring.ts')]);

  const index = readFileSync(indexFile, 'utf8');
  const list = /(export const PLATFORMS: readonly PlatformWiring\[\] = \[)([^\]]*)(\];)/;
  const lastImport = [...index.matchAll(/^import .*;$/gm)].pop();
  if (!list.test(index) || !lastImport) throw new UsageError(`--demo: no PLATFORMS list in ${relative(root, indexFile)}`);
  const at = lastImport.index + lastImport[0].length;
  const withImport = `${index.slice(0, at)}\nimport { ${camel} } from './${name}';${index.slice(at)}`;
  edits.push([indexFile, withImport.replace(list, (_, open, items, close) => `${open}${items.trim()}, ${camel}${close}`)]);

  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const deps = Object.entries(pkg.dependencies ?? {});
  const after = deps.map(([k]) => k.startsWith('@campus-passport/')).lastIndexOf(true) + 1;
  deps.splice(after, 0, [`@campus-passport/${name}`, 'workspace:^']);
  pkg.dependencies = Object.fromEntries(deps);
  edits.push([pkgFile, `${JSON.stringify(pkg, null, 2)}\n`]);

  const env = readFileSync(envFile, 'utf8');
  const rule = /^# -{10,}$/m.exec(env)?.[0] ?? `# ${'-'.repeat(93)}`;
  const block = [
    '',
    rule,
    `# ${titleZh} ${titleEn} — callback: <PUBLIC_URL>/auth/${name}/callback`,
    rule,
    `# ${NAME}_APP_ID=`,
    `# ${NAME}_APP_SECRET=`,
    `# ${NAME}_BASE_URL=                # the platform's origin (required)`,
    '',
  ].join('\n');
  edits.push([envFile, `${env.replace(/\n*$/, '\n')}${block}`]);
}

/** Prettier from the repository's own dependencies, when installed. */
async function loadPrettier(root) {
  try {
    const require = createRequire(join(root, 'package.json'));
    const mod = await import(pathToFileURL(require.resolve('prettier')).href);
    return mod.default ?? mod;
  } catch {
    return undefined;
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError) {
    console.error(`new:platform: ${err.message}`);
    if (/^(give|unknown option|one name|.* needs a value)/.test(err.message)) console.error(`\n${USAGE}`);
    process.exit(1);
  }
  console.error(`new:platform: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
