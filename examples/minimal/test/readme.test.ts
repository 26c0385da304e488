// The root READMEs show this example's main file verbatim: the snippet people copy is the file that is tested.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const main = readFileSync(join(__dirname, '../src/main.ts'), 'utf8');

it.each(['README.md', 'README.zh-CN.md'])("%s's TypeScript snippet is examples/minimal/src/main.ts", (readme) => {
  const text = readFileSync(join(root, readme), 'utf8');
  const snippets = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(snippets).toContain(main);
});
