import { emulators, startAll } from './registry';

/** `campus-mock [--host 127.0.0.1] [--only name,name]`: start the emulators on their fixed ports. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: campus-mock [--host 127.0.0.1] [--list]\nStarts every platform emulator on its fixed local port.');
    return;
  }
  const hostIdx = argv.indexOf('--host');
  const host = hostIdx >= 0 ? argv[hostIdx + 1] : '127.0.0.1';
  if (argv.includes('--list')) {
    for (const e of emulators) console.log(`${e.name}\t${e.port}`);
    return;
  }
  if (emulators.length === 0) {
    console.log('campus-mock: no platform emulators are registered yet');
    return;
  }
  const started = await startAll({ host });
  for (const e of started) console.log(`${e.name.padEnd(14)} ${e.url}`);
  console.log('campus-mock: all emulators running; Ctrl+C stops them');
  const stop = async () => {
    await Promise.all(started.map((e) => e.close()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
