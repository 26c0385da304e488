import { TMPL_APP, startTmplEmulator } from '@campus-passport/mock-platforms/tmpl';
import { Strategy as TmplStrategy } from '@campus-passport/tmpl';
import { envURL, requireEnv, type Env } from '../config';
import type { ConfiguredPlatform, PlatformWiring } from './types';

interface TmplConfig {
  appId: string;
  appSecret: string;
  baseURL: string;
}

function configure(c: TmplConfig, mode: ConfiguredPlatform['mode']): ConfiguredPlatform {
  return {
    name: 'tmpl',
    mode,
    baseURL: c.baseURL,
    start: { kind: 'redirect' },
    createStrategy: ({ callbackURL, verify }) =>
      new TmplStrategy({ appId: c.appId, appSecret: c.appSecret, baseURL: c.baseURL, callbackURL }, verify),
  };
}

/** TMPL_TITLE_ZH TMPL_TITLE_EN: authorization code → access token → user. */
export const tmplId: PlatformWiring = {
  name: 'tmpl',
  label: 'TMPL_TITLE_ZH TMPL_TITLE_EN',
  callbackPaths: ['/auth/tmpl/callback'],
  env: [
    { name: 'TMPL_APP_ID', required: true, description: 'app_id of your TMPL_TITLE_EN app' },
    { name: 'TMPL_APP_SECRET', required: true, secret: true, description: 'app_secret' },
    { name: 'TMPL_BASE_URL', required: true, description: 'the platform origin (there is no public default yet)' },
  ],
  fromEnv(env: Env) {
    const why = 'to enable TMPL_TITLE_EN (or unset every TMPL_* variable)';
    return configure(
      {
        appId: requireEnv(env, 'TMPL_APP_ID', why),
        appSecret: requireEnv(env, 'TMPL_APP_SECRET', why),
        baseURL: envURL(env, 'TMPL_BASE_URL') ?? requireEnv(env, 'TMPL_BASE_URL', why),
      },
      'platform',
    );
  },
  async startEmbedded({ port, host }) {
    const emulator = await startTmplEmulator({ port, host });
    return {
      platform: configure({ appId: TMPL_APP.appId, appSecret: TMPL_APP.appSecret, baseURL: emulator.url }, 'emulator'),
      emulator,
    };
  },
};
