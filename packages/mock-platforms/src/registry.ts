/**
 * The one list of platforms. The CLI, the demo's embedded emulators and fixed ports, the bench and
 * the cross-package tests all read it, so a new platform is registered here once (the scaffold,
 * `pnpm new:platform <name>`, adds the import and the entry at the two marked lines).
 */
import type { Emulator } from './harness';
import { DEFAULT_PORT as DISABLED_AID_PORT, DISABLED_AID_USERS, startDisabledAidEmulator } from './platforms/disabled-aid';
import { DEFAULT_PORT as HDUHELP_PORT, HDUHELP_CLIENT_ID, HDUHELP_USERS, startHduhelpEmulator } from './platforms/hduhelp';
import {
  DEFAULT_APP_CODE as NCUOS_APP_CODE,
  DEFAULT_PORT as NCUOS_PORT,
  NCUOS_USERS,
  startNcuosEmulator,
} from './platforms/ncuos';
import { DEFAULT_PORT as ZAFU_PORT, ZAFU_DEFAULT_APP, ZAFU_USERS, startZafuEmulator } from './platforms/zafu';
import { DEFAULT_PORT as ZIQIANG_PORT, ZIQIANG_APP, ZIQIANG_USERS, startZiqiangEmulator } from './platforms/ziqiang';
// new:platform imports go above this line

/** One platform as the CLI, the demo, the bench and the cross-package tests see it. */
export interface PlatformEntry {
  /**
   * The platform's name: the strategy's default Passport name, the demo's route segment
   * (`/auth/<name>`), the emulator's subpath (`@campus-passport/mock-platforms/<name>`) and the
   * strategy's folder (`packages/strategy-<name>`).
   */
  name: string;
  /** The strategy package, `@campus-passport/<name>`. */
  packageName: string;
  /** What people call the platform, in Chinese and in English. */
  title: { zh: string; en: string };
  /** The fixed local port `campus-mock` and the demo's embedded emulators use. */
  port: number;
  /** A page a browser can open on the emulator: its login page for the seeded demo app, or its portal. */
  loginPath: string;
  /** A seeded user who signs in: its `data-user` on the login page and the name its profile shows. */
  testUser: { value: string; name: string };
  /** Start the emulator (port 0 = a free port). */
  start(options: { port?: number; host?: string }): Promise<Emulator>;
}

/** @deprecated the old name of {@link PlatformEntry}. */
export type EmulatorEntry = PlatformEntry;

const governance = DISABLED_AID_USERS.find((u) => u.side === 'governance') ?? DISABLED_AID_USERS[0];
/** The redirect URI the login-page links of the OAuth-shaped emulators carry (any local URI is accepted). */
const LOCAL_CALLBACK = encodeURIComponent('http://127.0.0.1:3000/cb');

/** Every platform, in the order the CLI, the demo and the docs show them. */
export const emulators: readonly PlatformEntry[] = [
  {
    name: 'hduhelp',
    packageName: '@campus-passport/hduhelp',
    title: { zh: '杭电助手', en: 'HDU Helper' },
    port: HDUHELP_PORT,
    loginPath: `/oauth/authorize?response_type=code&client_id=${HDUHELP_CLIENT_ID}&redirect_uri=${LOCAL_CALLBACK}`,
    testUser: { value: HDUHELP_USERS[1].userId, name: HDUHELP_USERS[1].staffName },
    start: (o) => startHduhelpEmulator(o),
  },
  {
    name: 'ziqiang',
    packageName: '@campus-passport/ziqiang',
    title: { zh: '自强 Auth（武汉大学）', en: 'Ziqiang Auth (Wuhan University)' },
    port: ZIQIANG_PORT,
    loginPath: `/login?app-name=${ZIQIANG_APP.username}`,
    testUser: { value: ZIQIANG_USERS[0].id, name: ZIQIANG_USERS[0].name },
    start: (o) => startZiqiangEmulator(o),
  },
  {
    name: 'ncuos',
    packageName: '@campus-passport/ncuos',
    title: { zh: '南昌大学家园工作室 GeniusAuth', en: 'NCUOS GeniusAuth (Nanchang University)' },
    port: NCUOS_PORT,
    loginPath: `/?appCode=${NCUOS_APP_CODE}`,
    testUser: { value: String(NCUOS_USERS[0].id), name: NCUOS_USERS[0].name },
    start: (o) => startNcuosEmulator(o),
  },
  {
    name: 'disabled-aid',
    packageName: '@campus-passport/disabled-aid',
    title: { zh: '智慧助残数字化平台（杭州）', en: 'Hangzhou disabled-aid platform' },
    port: DISABLED_AID_PORT,
    loginPath: '/',
    testUser: { value: governance.useruuid, name: governance.username },
    start: (o) => startDisabledAidEmulator(o),
  },
  {
    name: 'zafu',
    packageName: '@campus-passport/zafu',
    title: { zh: '浙江农林大学开放平台', en: 'ZAFU open platform' },
    port: ZAFU_PORT,
    loginPath: `/oauth/authorize?response_type=code&client_id=${ZAFU_DEFAULT_APP.clientId}&redirect_uri=${LOCAL_CALLBACK}`,
    testUser: { value: ZAFU_USERS[0].id, name: ZAFU_USERS[0].name },
    start: (o) => startZafuEmulator(o),
  },
  // new:platform entries go above this line
];

/** The registered platform names, in order. */
export function platformNames(): string[] {
  return emulators.map((e) => e.name);
}

/** The entry of one platform; throws naming the known platforms when there is none. */
export function platformEntry(name: string): PlatformEntry {
  const entry = emulators.find((e) => e.name === name);
  if (!entry) throw new Error(`unknown platform "${name}" (known: ${platformNames().join(', ')})`);
  return entry;
}

/** The fixed local port of every platform, by name. */
export function fixedPorts(): Record<string, number> {
  return Object.fromEntries(emulators.map((e) => [e.name, e.port]));
}

/**
 * Start every emulator (fixed ports by default, or free ports with `{ freePorts: true }`), or only
 * the named ones, in registry order. If one fails to start, the ones already started are closed.
 */
export async function startAll(
  options: { freePorts?: boolean; host?: string; only?: readonly string[] } = {},
): Promise<Emulator[]> {
  const chosen = options.only ? options.only.map(platformEntry) : emulators;
  const ordered = emulators.filter((e) => chosen.includes(e));
  const started: Emulator[] = [];
  try {
    for (const e of ordered) started.push(await e.start({ port: options.freePorts ? 0 : e.port, host: options.host }));
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  return started;
}
