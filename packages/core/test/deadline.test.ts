import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { Deadline } from '../src/deadline';

/** A deadline that records when it expired. */
class Probe extends Deadline {
  expiredAt?: number;
  constructor(
    readonly name: string,
    private readonly log: string[],
    private readonly onExpire?: () => void,
  ) {
    super();
  }
  protected expire(): void {
    this.expiredAt = Date.now();
    this.log.push(this.name);
    this.onExpire?.();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Deadline', () => {
  it('falls due after its length, in the order set; a cleared one never fires', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new Probe(n, log));
    const started = Date.now();
    a.arm(60);
    b.arm(60);
    c.arm(60);
    b.disarm();
    await sleep(120);
    expect(log).toEqual(['a', 'c']);
    expect(a.expiredAt! - started).toBeGreaterThanOrEqual(59);
    expect(b.expiredAt).toBeUndefined();
  });

  it('deadlines of different lengths each fall due on time', async () => {
    const log: string[] = [];
    const long = new Probe('long', log);
    const short = new Probe('short', log);
    const started = Date.now();
    long.arm(120);
    short.arm(30);
    await sleep(200);
    expect(log).toEqual(['short', 'long']);
    expect(short.expiredAt! - started).toBeLessThan(100);
    expect(long.expiredAt! - started).toBeGreaterThanOrEqual(119);
  });

  it('three lengths in turn, and a length used again after its queue emptied, each fall due on time', async () => {
    const log: string[] = [];
    const started = Date.now();
    for (const [name, ms] of [
      ['90', 90],
      ['30', 30],
      ['60', 60],
      ['30b', 30],
      ['90b', 90],
    ] as const)
      new Probe(name, log).arm(ms);
    await sleep(130);
    expect(log).toEqual(['30', '30b', '60', '90', '90b']);
    // the 30 ms queue emptied and left; a new deadline of that length makes it again
    const late = new Probe('late', log);
    const armedAt = Date.now();
    late.arm(30);
    await sleep(70);
    expect(log.at(-1)).toBe('late');
    expect(late.expiredAt! - armedAt).toBeGreaterThanOrEqual(29);
    expect(late.expiredAt! - started).toBeGreaterThan(150);
  });

  it('a new head after the old one was cleared still falls due on time (the timer re-arms)', async () => {
    const log: string[] = [];
    const first = new Probe('first', log);
    first.arm(50);
    await sleep(20);
    const second = new Probe('second', log);
    const started = Date.now();
    second.arm(50);
    first.disarm();
    await sleep(100);
    expect(log).toEqual(['second']);
    expect(second.expiredAt! - started).toBeGreaterThanOrEqual(49);
    expect(second.expiredAt! - started).toBeLessThan(90);
  });

  it('arming again moves a deadline; arming inside an expiry works', async () => {
    const log: string[] = [];
    const moved = new Probe('moved', log);
    moved.arm(20);
    moved.arm(80);
    const again: Probe = new Probe('again', log, () => {
      if (log.filter((n) => n === 'again').length < 2) again.arm(20);
    });
    again.arm(20);
    await sleep(60);
    expect(log).toEqual(['again', 'again']);
    await sleep(60);
    expect(log).toEqual(['again', 'again', 'moved']);
  });

  it('in a process of its own: an armed deadline keeps it alive, a cleared one does not, a throw stops no other', () => {
    // the module as plain CommonJS, run in a process of its own
    const dir = mkdtempSync(join(tmpdir(), 'campus-deadline-'));
    const source = readFileSync(join(__dirname, '..', 'src', 'deadline.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, 'deadline.cjs'), outputText);
    const run = (body: string) => {
      const script = `const { Deadline } = require(${JSON.stringify(join(dir, 'deadline.cjs'))});
        class D extends Deadline { constructor(name = 'expired') { super(); this.name = name; }
          expire() { console.log(this.name); if (this.name === 'thrower') throw new Error('boom'); } }
        ${body}`;
      const started = Date.now();
      const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      return { out: out.trim(), took: Date.now() - started };
    };
    const kept = run('new D().arm(300);');
    expect(kept.out).toBe('expired');
    expect(kept.took).toBeGreaterThanOrEqual(300);
    const cleared = run('const d = new D(); d.arm(5000); d.disarm();');
    expect(cleared.out).toBe('');
    expect(cleared.took).toBeLessThan(4000);
    // a throw out of one expiry is the process' uncaught exception; the deadlines after it still fall due
    const threw = run(
      "process.on('uncaughtException', (e) => console.log('caught ' + e.message)); new D('thrower').arm(30); new D('after').arm(30);",
    );
    expect(threw.out.split('\n')).toEqual(['thrower', 'caught boom', 'after']);
    rmSync(dir, { recursive: true, force: true });
  });
});
