import { Strategy as HduHelpStrategy } from '@campus-passport/hduhelp';
import { HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET, startHduhelpEmulator } from '@campus-passport/mock-platforms/hduhelp';
import { envEnum, envURL, envValue, requireEnv, type Env } from '../config';
import type { ConfiguredPlatform, PlatformWiring } from './types';

const DEFAULT_BASE_URL = 'https://api.hduhelp.com';

interface HduHelpConfig {
  clientID: string;
  clientSecret: string;
  baseURL?: string;
  api: 'classic' | 'neo';
  scope?: string;
}

function configure(c: HduHelpConfig, mode: ConfiguredPlatform['mode']): ConfiguredPlatform {
  return {
    name: 'hduhelp',
    mode,
    baseURL: c.baseURL ?? DEFAULT_BASE_URL,
    start: { kind: 'redirect' },
    createStrategy: ({ callbackURL, verify }) =>
      new HduHelpStrategy(
        { clientID: c.clientID, clientSecret: c.clientSecret, baseURL: c.baseURL, api: c.api, scope: c.scope, callbackURL },
        verify,
      ),
  };
}

/** 杭电助手 HDU Helper: OAuth authorization code (classic /oauth/* or neo). */
export const hduhelp: PlatformWiring = {
  name: 'hduhelp',
  label: '杭电助手 HDU Helper',
  callbackPaths: ['/auth/hduhelp/callback'],
  env: [
    { name: 'HDUHELP_CLIENT_ID', required: true, description: 'client_id (classic) or app_id (neo) of your HDU Helper app' },
    { name: 'HDUHELP_CLIENT_SECRET', required: true, secret: true, description: 'client_secret / app_secret' },
    {
      name: 'HDUHELP_API',
      required: false,
      description: "'classic' (default, /oauth/*) or 'neo' (/hduhelp-neo/open-apis/authen/*)",
    },
    { name: 'HDUHELP_SCOPE', required: false, description: 'neo only: comma-separated scopes' },
    { name: 'HDUHELP_BASE_URL', required: false, description: `platform origin (default ${DEFAULT_BASE_URL})` },
  ],
  fromEnv(env: Env) {
    const why = 'to enable HDU Helper (or unset every HDUHELP_* variable)';
    return configure(
      {
        clientID: requireEnv(env, 'HDUHELP_CLIENT_ID', why),
        clientSecret: requireEnv(env, 'HDUHELP_CLIENT_SECRET', why),
        baseURL: envURL(env, 'HDUHELP_BASE_URL'),
        api: envEnum(env, 'HDUHELP_API', ['classic', 'neo'] as const, 'classic'),
        scope: envValue(env, 'HDUHELP_SCOPE'),
      },
      'platform',
    );
  },
  async startEmbedded({ port, host }) {
    const emulator = await startHduhelpEmulator({ port, host });
    const platform = configure(
      { clientID: HDUHELP_CLIENT_ID, clientSecret: HDUHELP_CLIENT_SECRET, baseURL: emulator.url, api: 'classic' },
      'emulator',
    );
    return { platform, emulator };
  },
};
