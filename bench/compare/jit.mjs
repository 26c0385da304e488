#!/usr/bin/env node
// Summarize the app's JIT trace of `bench:compare --trace-jit <file>` (V8's --trace-opt and
// --trace-deopt, with a mark at each phase of a round): per flow and variant, per round, how many
// functions TurboFan compiled, how many deoptimizations ran, and how many optimized codes were
// thrown away ("marking dependent code", e.g. at a GC whose dead objects they embedded) — in the
// round's lead-in (after the collection) and in its measured part.
//
// A measured part that still compiles much more than the others means the lead-in was too short
// for the JIT to settle (see "Why the lead-in" in bench/README.md). V8 buffers its trace and the
// marks are not, so a few dozen lines near a mark may land on the wrong side of it.
//
// Usage: node bench/compare/jit.mjs <file>
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (!file) throw new Error('usage: jit.mjs <trace file of bench:compare --trace-jit>');

const rows = new Map(); // "flow variant" → { rounds, lead: counts, measure: counts }
const zero = () => ({ compiled: 0, deopts: 0, dropped: 0 });
let row;
let phase;
for await (const line of createInterface({ input: createReadStream(file) })) {
  if (line.startsWith('### ')) {
    const [, what, flow, variant] = line.split(' ');
    if (what === 'lead') {
      const key = `${flow} ${variant}`;
      if (!rows.has(key)) rows.set(key, { rounds: 0, lead: zero(), measure: zero() });
      row = rows.get(key);
      phase = 'lead';
    } else if (what === 'measure' && row) {
      row.rounds++;
      phase = 'measure';
    } else phase = undefined;
    continue;
  }
  if (!row || !phase) continue;
  const counts = row[phase];
  if (line.startsWith('[completed compiling')) counts.compiled++;
  else if (line.startsWith('[bailout')) counts.deopts++;
  else if (line.startsWith('[marking dependent code')) counts.dropped++;
}

const per = (n, rounds) => (rounds ? (n / rounds).toFixed(0) : '–').padStart(9);
console.log('per round (the warm-up round included): TurboFan compiles, deoptimizations, optimized codes thrown away');
console.log(
  `${'flow variant'.padEnd(32)}${'lead: comp'.padStart(11)}${'deopt'.padStart(9)}${'dropped'.padStart(9)}${'measured: comp'.padStart(16)}${'deopt'.padStart(9)}${'dropped'.padStart(9)}`,
);
for (const [key, r] of rows) {
  console.log(
    `${key.padEnd(32)}${per(r.lead.compiled, r.rounds).padStart(11)}${per(r.lead.deopts, r.rounds)}${per(r.lead.dropped, r.rounds)}` +
      `${per(r.measure.compiled, r.rounds).padStart(16)}${per(r.measure.deopts, r.rounds)}${per(r.measure.dropped, r.rounds)}`,
  );
}
