import { fixedPorts, type Emulator } from '@campus-passport/mock-platforms';
import type { PlatformEntry } from './config';
import type { PlatformWiring } from './platforms/types';

/** The fixed local ports of the emulators: the platform registry's, the same as `campus-mock`. */
export const EMULATOR_PORTS: Readonly<Record<string, number>> = fixedPorts();

export interface EmbeddedOptions {
  /** The app's own origin (the emulators send browsers back there), e.g. http://localhost:3000. */
  appOrigin: string;
  host?: string;
  /** true: every emulator on a free port (tests). Default: the fixed ports, a free one when taken. */
  freePorts?: boolean;
}

export interface Embedded {
  platforms: PlatformEntry[];
  emulators: Emulator[];
  close(): Promise<void>;
}

function isAddressInUse(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/** Start every platform's emulator in-process and configure each platform against its emulator. */
export async function startEmbedded(wirings: readonly PlatformWiring[], options: EmbeddedOptions): Promise<Embedded> {
  const platforms: PlatformEntry[] = [];
  const emulators: Emulator[] = [];
  const close = async () => {
    await Promise.all(emulators.map((e) => e.close()));
  };
  try {
    for (const wiring of wirings) {
      const fixed = options.freePorts ? 0 : (EMULATOR_PORTS[wiring.name] ?? 0);
      let started: Awaited<ReturnType<PlatformWiring['startEmbedded']>>;
      try {
        started = await wiring.startEmbedded({ port: fixed, host: options.host, appOrigin: options.appOrigin });
      } catch (err) {
        if (!isAddressInUse(err) || fixed === 0) throw err;
        started = await wiring.startEmbedded({ port: 0, host: options.host, appOrigin: options.appOrigin });
      }
      emulators.push(started.emulator);
      platforms.push({ wiring, configured: started.platform });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { platforms, emulators, close };
}
