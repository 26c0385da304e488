// `bench:compare --core <dir>` / `--package <name>=<dir>`: the app process loads these packages
// from other builds — e.g. core built from an older commit, or a strategy with a change under
// review — while everything else stays the current build, so two builds can be compared with all
// else equal. Registered by alias-loader.mjs (node --import); `aliases` maps a bare specifier to
// the file it loads instead.
import { pathToFileURL } from 'node:url';

let aliases = {};
export function initialize(data) {
  aliases = data.aliases;
}

export async function resolve(specifier, context, next) {
  const file = aliases[specifier];
  return file ? { url: pathToFileURL(file).href, shortCircuit: true } : next(specifier, context);
}
