#!/usr/bin/env node
// Releasing the workspace's publishable packages (see RELEASING.md).
//
//   pnpm release                  build, check every packed tarball (publint + attw), run the packaging
//                                 tests (install the tarballs with npm into fresh apps and log in), then
//                                 `changeset publish` (publishes every package whose version is not on npm yet)
//   pnpm release --dry-run        build, pack, check, `npm publish --dry-run` per tarball; publishes nothing
//   pnpm check:packages           build, pack into a temp dir, publint + attw on each tarball
//   node scripts/release.mjs check <a.tgz …>   publint + attw on the given tarballs only
//   node scripts/release.mjs pack <dir>        pack every publishable package into <dir>, print JSON
//
// --no-build uses the current dist/ as it is (the tests pass it: `pnpm test` has just built, and a
// rebuild would empty dist/ under the tests running beside them). Other arguments of `pnpm release`
// (e.g. --otp 123456, --tag next) go to `changeset publish`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules/.bin', name);

class ReleaseError extends Error {}

/** The workspace's publishable packages: every workspace package without `"private": true`. */
function publishablePackages() {
  const r = spawnSync('pnpm', ['-r', 'ls', '--json', '--depth', '-1'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new ReleaseError(`pnpm ls failed: ${r.stderr}`);
  return JSON.parse(r.stdout)
    .filter((p) => !p.private && p.path !== root)
    .map((p) => ({ name: p.name, version: p.version, dir: p.path }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) throw new ReleaseError(`${basename(cmd)} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** Run a command, capturing its output: { ok, output }. */
function capture(cmd, args, options = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => done({ ok: false, output: `${output}${err.message}\n` }));
    child.on('close', (code) => done({ ok: code === 0, output }));
  });
}

function build() {
  console.log('release: pnpm build');
  run('pnpm', ['run', 'build']);
}

/** `pnpm pack` every publishable package into dir (workspace:^ becomes the real version range). */
function packAll(dir) {
  mkdirSync(dir, { recursive: true });
  return publishablePackages().map((p) => {
    if (!existsSync(join(p.dir, 'dist'))) throw new ReleaseError(`${p.name} has no dist/: run pnpm build first`);
    const r = spawnSync('pnpm', ['pack', '--pack-destination', dir, '--json'], { cwd: p.dir, encoding: 'utf8' });
    if (r.status !== 0) throw new ReleaseError(`pnpm pack ${p.name} failed: ${r.stderr || r.stdout}`);
    const packed = JSON.parse(r.stdout);
    return { ...p, tarball: packed.filename, files: packed.files.map((f) => f.path) };
  });
}

/** The files a tarball holds, without the leading `package/`. */
function tarballFiles(tarball) {
  const r = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  if (r.status !== 0) throw new ReleaseError(`cannot list ${tarball}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

function tarballManifest(tarball) {
  const r = spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new ReleaseError(`no package.json in ${tarball}`);
  return JSON.parse(r.stdout);
}

/**
 * attw lists a pattern export ("./*") as "(wildcard)" without checking it, so every subpath the
 * pattern serves in this tarball is named explicitly: "./*" → "./dist/platforms/*.js" and the file
 * dist/platforms/hduhelp.js give "./hduhelp". Returns the concrete subpaths of every pattern export.
 */
function wildcardEntrypoints(manifest, files) {
  const out = new Set();
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (!subpath.includes('*')) continue;
    const targets = [];
    const collect = (t) => (typeof t === 'string' ? targets.push(t) : t && Object.values(t).forEach(collect));
    collect(target);
    for (const t of targets) {
      const esc = t.replace(/^\.\//, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      const re = new RegExp(`^${esc.replace('*', '([^/]+)')}$`);
      for (const f of files) {
        const m = re.exec(f);
        if (m) out.add(subpath.replace('*', m[1]));
      }
    }
  }
  return [...out].sort();
}

/**
 * publint (errors, warnings and suggestions all count: the tarball must come back "All good!") and
 * attw with its strict profile (node10, node16 from CJS and ESM, bundler), every pattern subpath
 * included. Returns the failures, one line each; prints every tool's report.
 */
async function checkTarballs(tarballs) {
  const failures = [];
  const one = async (tarball) => {
    const manifest = tarballManifest(tarball);
    const extra = wildcardEntrypoints(manifest, tarballFiles(tarball));
    const patterns = Object.keys(manifest.exports ?? {}).filter((k) => k.includes('*'));
    if (patterns.length > 0 && extra.length === 0) failures.push(`${manifest.name}: ${patterns.join(', ')} serves no file`);
    const attwArgs = [
      tarball,
      '--profile',
      'strict',
      '--no-definitely-typed',
      '--format',
      'table-flipped',
      '--no-emoji',
      '--no-color',
    ];
    if (extra.length) attwArgs.push('--include-entrypoints', ...extra);
    const [publint, attw] = await Promise.all([capture(bin('publint'), ['--strict', tarball]), capture(bin('attw'), attwArgs)]);
    const publintClean = publint.ok && publint.output.includes('All good!');
    if (!publintClean) failures.push(`${manifest.name}: publint`);
    if (!attw.ok) failures.push(`${manifest.name}: attw`);
    console.log(
      `\n── ${manifest.name}@${manifest.version}: publint ${publintClean ? 'ok' : 'FAILED'}, attw ${attw.ok ? 'ok' : 'FAILED'}` +
        (extra.length ? ` (pattern subpaths: ${extra.join(' ')})` : '') +
        `\n${publint.output.trim()}\n${attw.output.trim()}`,
    );
  };
  // two at a time: attw is CPU-bound and the machine may have two cores
  const queue = [...tarballs];
  const worker = async () => {
    while (queue.length) await one(queue.shift());
  };
  await Promise.all([worker(), worker()]);
  return failures;
}

function pendingChangesets() {
  const dir = join(root, '.changeset');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md') : [];
}

async function checkPackages({ noBuild, tarballs }) {
  let list = tarballs;
  let tmp;
  if (!list.length) {
    if (!noBuild) build();
    tmp = mkdtempSync(join(tmpdir(), 'campus-check-'));
    list = packAll(tmp).map((p) => p.tarball);
  }
  try {
    const failures = await checkTarballs(list);
    if (failures.length) throw new ReleaseError(`package checks failed:\n  ${failures.join('\n  ')}`);
    console.log(`\ncheck:packages: ${list.length} tarballs clean (publint, attw)`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Whether this version of the package is on the registry (a 404 means a package never published). */
async function isPublished(p, cwd) {
  const r = await capture('npm', ['view', `${p.name}@${p.version}`, 'version', '--json'], { cwd });
  if (r.ok) return r.output.trim() !== '';
  if (/E404/.test(r.output)) return false;
  throw new ReleaseError(`npm view ${p.name}@${p.version} failed:\n${r.output.trim()}`);
}

async function dryRun({ noBuild }) {
  if (!noBuild) build();
  const tmp = mkdtempSync(join(tmpdir(), 'campus-release-'));
  try {
    const packed = packAll(tmp);
    const failures = await checkTarballs(packed.map((p) => p.tarball));
    if (failures.length) throw new ReleaseError(`package checks failed:\n  ${failures.join('\n  ')}`);
    const toPublish = [];
    // as `changeset publish` does: a version already on the registry is skipped (npm would refuse it)
    const published = await Promise.all(packed.map((p) => isPublished(p, tmp)));
    for (const [i, p] of packed.entries()) {
      console.log(`\nrelease --dry-run: ${p.name}@${p.version} files: ${p.files.join(' ')}`);
      if (published[i]) {
        console.log(`release --dry-run: ${p.name}@${p.version} is on the registry already — changeset publish skips it`);
        continue;
      }
      toPublish.push(p);
      console.log(`release --dry-run: npm publish --dry-run ${basename(p.tarball)}`);
      // from the temp dir, so the workspace's .npmrc (pnpm settings) does not apply; npm reports on
      // stderr, printed here in order with the rest
      const r = await capture('npm', ['publish', '--dry-run', p.tarball], { cwd: tmp });
      console.log(r.output.trim());
      if (!r.ok) throw new ReleaseError(`npm publish --dry-run ${basename(p.tarball)} failed`);
    }
    const pending = pendingChangesets();
    if (pending.length)
      console.log(
        `\nnote: ${pending.length} changeset(s) not yet applied (${pending.join(', ')}): a real release needs \`pnpm version-packages\` first`,
      );
    console.log(
      `\nrelease --dry-run: would publish ${toPublish.map((p) => `${p.name}@${p.version}`).join(', ') || 'nothing new'} — nothing was published`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function release({ noBuild, publishArgs }) {
  const pending = pendingChangesets();
  if (pending.length)
    throw new ReleaseError(
      `${pending.length} changeset(s) not applied yet (${pending.join(', ')}): run \`pnpm version-packages\`, review and commit, then release`,
    );
  if (!noBuild) build();
  await checkPackages({ noBuild: true, tarballs: [] });
  console.log('\nrelease: packaging tests');
  run('pnpm', ['exec', 'jest', 'examples/install-test/test/install.test.ts', 'examples/express-app/test/packages.test.ts']);
  console.log('\nrelease: changeset publish');
  run(bin('changeset'), ['publish', ...publishArgs]);
  console.log('\nrelease: done. Push the new tags: git push --follow-tags');
}

async function main(argv) {
  const args = argv.filter((a) => a !== '--');
  const noBuild = args.includes('--no-build');
  const rest = args.filter((a) => a !== '--no-build');
  if (rest[0] === 'pack') {
    if (!rest[1]) throw new ReleaseError('usage: node scripts/release.mjs pack <dir>');
    console.log(JSON.stringify(packAll(resolve(rest[1])), null, 2));
  } else if (rest[0] === 'check') await checkPackages({ noBuild, tarballs: rest.slice(1).map((t) => resolve(t)) });
  else if (rest.includes('--dry-run')) await dryRun({ noBuild });
  else await release({ noBuild, publishArgs: rest });
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`\nrelease: ${err instanceof ReleaseError ? err.message : err.stack}`);
  process.exit(1);
});
