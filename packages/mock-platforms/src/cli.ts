import { emulators, platformEntry, startAll } from './registry';

const USAGE = `usage: campus-mock [--host 127.0.0.1] [--only name,name] [--list]
Starts every platform emulator (or only the named ones) on its fixed local port.
  --list   print each platform's name and port, start nothing
platforms: ${emulators.map((e) => e.name).join(', ')}`;

/** `campus-mock [--host 127.0.0.1] [--only name,name] [--list]`: start the emulators on their fixed ports. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const hostIdx = argv.indexOf('--host');
  const host = hostIdx >= 0 ? argv[hostIdx + 1] : '127.0.0.1';
  if (argv.includes('--list')) {
    for (const e of emulators) console.log(`${e.name}\t${e.port}`);
    return;
  }
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? (argv[onlyIdx + 1] ?? '').split(',').filter(Boolean) : undefined;
  if (only) {
    if (only.length === 0) throw new Error('--only needs a comma-separated list of platform names');
    only.forEach(platformEntry); // throws naming the known platforms
  }
  if (emulators.length === 0) {
    console.log('campus-mock: no platform emulators are registered yet');
    return;
  }
  const started = await startAll({ host, only });
  for (const e of started) {
    const entry = platformEntry(e.name);
    console.log(`${e.name.padEnd(14)} ${e.url}  ${entry.title.zh} / ${entry.title.en}  login page: ${e.url}${entry.loginPath}`);
  }
  console.log('campus-mock: all emulators running; Ctrl+C stops them');
  const stop = async () => {
    await Promise.all(started.map((e) => e.close()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
