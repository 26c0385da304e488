import type { Emulator } from './harness';

/** One platform emulator as the CLI and the demo app see it. */
export interface EmulatorEntry {
  /** Platform name: 'hduhelp' | 'ziqiang' | 'ncuos' | 'disabled-aid' | 'zafu'. */
  name: string;
  /** The fixed port `campus-mock` uses. */
  port: number;
  /** Start it (port 0 = a free port). */
  start(options: { port?: number; host?: string }): Promise<Emulator>;
}

/** Every emulator that exists, with its fixed local port. Each platform issue adds its line. */
export const emulators: EmulatorEntry[] = [];

/** Start every emulator (fixed ports by default, or free ports with `{ freePorts: true }`). */
export async function startAll(options: { freePorts?: boolean; host?: string } = {}): Promise<Emulator[]> {
  const started: Emulator[] = [];
  try {
    for (const e of emulators) started.push(await e.start({ port: options.freePorts ? 0 : e.port, host: options.host }));
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return started;
}
