import type { Emulator } from './harness';
import { DEFAULT_PORT as DISABLED_AID_PORT, startDisabledAidEmulator } from './platforms/disabled-aid';
import { DEFAULT_PORT as HDUHELP_PORT, startHduhelpEmulator } from './platforms/hduhelp';
import { DEFAULT_PORT as NCUOS_PORT, startNcuosEmulator } from './platforms/ncuos';
import { DEFAULT_PORT as ZAFU_PORT, startZafuEmulator } from './platforms/zafu';
import { DEFAULT_PORT as ZIQIANG_PORT, startZiqiangEmulator } from './platforms/ziqiang';

/** One platform emulator as the CLI and the demo app see it. */
export interface EmulatorEntry {
  /** Platform name: 'hduhelp' | 'ziqiang' | 'ncuos' | 'disabled-aid' | 'zafu'. */
  name: string;
  /** The fixed port `campus-mock` uses. */
  port: number;
  /** Start it (port 0 = a free port). */
  start(options: { port?: number; host?: string }): Promise<Emulator>;
}

/** Every emulator, with its fixed local port. */
export const emulators: EmulatorEntry[] = [
  { name: 'hduhelp', port: HDUHELP_PORT, start: (o) => startHduhelpEmulator(o) },
  { name: 'ziqiang', port: ZIQIANG_PORT, start: (o) => startZiqiangEmulator(o) },
  { name: 'ncuos', port: NCUOS_PORT, start: (o) => startNcuosEmulator(o) },
  { name: 'disabled-aid', port: DISABLED_AID_PORT, start: (o) => startDisabledAidEmulator(o) },
  { name: 'zafu', port: ZAFU_PORT, start: (o) => startZafuEmulator(o) },
];

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
