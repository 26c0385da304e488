import { DEFAULT_APP_CODE, DEFAULT_APP_SECRET, startNcuosEmulator } from '@campus-passport/mock-platforms/ncuos';
import { Strategy as NcuosStrategy } from '@campus-passport/ncuos';
import { envEnum, envURL, requireEnv, type Env } from '../config';
import type { ConfiguredPlatform, PlatformWiring } from './types';

const DEFAULT_BASE_URL = 'https://v.ncuos.com';

interface NcuosConfig {
  appCode: string;
  appSecret: string;
  baseURL?: string;
  grantType: 'once' | 'refresh_token';
}

function configure(c: NcuosConfig, mode: ConfiguredPlatform['mode']): ConfiguredPlatform {
  return {
    name: 'ncuos',
    mode,
    baseURL: c.baseURL ?? DEFAULT_BASE_URL,
    start: { kind: 'redirect' },
    extras: { spaToken: { param: 'token' } },
    createStrategy: ({ verify }) =>
      new NcuosStrategy({ appCode: c.appCode, appSecret: c.appSecret, baseURL: c.baseURL, grantType: c.grantType }, verify),
  };
}

/** NCUOS GeniusAuth (南昌大学 家园工作室): the platform sends ?token= to the registered callback. */
export const ncuos: PlatformWiring = {
  name: 'ncuos',
  label: 'NCUOS GeniusAuth (南昌大学)',
  callbackPaths: ['/auth/ncuos/callback'],
  env: [
    { name: 'NCUOS_APP_CODE', required: true, description: 'appCode of your GeniusAuth app' },
    { name: 'NCUOS_APP_SECRET', required: true, secret: true, description: 'appSecret (signs every call; never sent)' },
    { name: 'NCUOS_GRANT_TYPE', required: false, description: "'refresh_token' (default) or 'once'" },
    {
      name: 'NCUOS_BASE_URL',
      required: false,
      description: `platform origin (default ${DEFAULT_BASE_URL}; pre-release https://v.ncuhome.club)`,
    },
  ],
  fromEnv(env: Env) {
    const why = 'to enable NCUOS (or unset every NCUOS_* variable)';
    return configure(
      {
        appCode: requireEnv(env, 'NCUOS_APP_CODE', why),
        appSecret: requireEnv(env, 'NCUOS_APP_SECRET', why),
        grantType: envEnum(env, 'NCUOS_GRANT_TYPE', ['refresh_token', 'once'] as const, 'refresh_token'),
        baseURL: envURL(env, 'NCUOS_BASE_URL'),
      },
      'platform',
    );
  },
  async startEmbedded({ port, host, appOrigin }) {
    // the platform has one registered callback per app: point the demo app's at this app
    const emulator = await startNcuosEmulator({
      port,
      host,
      apps: [{ appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, callbackURL: `${appOrigin}/auth/ncuos/callback` }],
    });
    const platform = configure(
      { appCode: DEFAULT_APP_CODE, appSecret: DEFAULT_APP_SECRET, baseURL: emulator.url, grantType: 'refresh_token' },
      'emulator',
    );
    return { platform, emulator };
  },
};
