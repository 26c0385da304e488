import { ZIQIANG_APP, startZiqiangEmulator } from '@campus-passport/mock-platforms/ziqiang';
import { DEFAULT_LOGIN_URL, Strategy as ZiqiangStrategy } from '@campus-passport/ziqiang';
import { envBool, envURL, envValue, requireEnv, type Env } from '../config';
import type { ConfiguredPlatform, PlatformWiring } from './types';

const DEFAULT_BASE_URL = 'https://api.cas.ziqiang.net.cn';

interface ZiqiangConfig {
  appKey: string;
  appSecret: string;
  baseURL?: string;
  loginURL?: string;
  appName?: string;
  certifiedOnly: boolean;
}

function configure(c: ZiqiangConfig, mode: ConfiguredPlatform['mode']): ConfiguredPlatform {
  const loginURL = c.loginURL ?? (c.baseURL ? `${c.baseURL}/login` : DEFAULT_LOGIN_URL);
  let strategy: ZiqiangStrategy | undefined;
  return {
    name: 'ziqiang',
    mode,
    baseURL: c.baseURL ?? DEFAULT_BASE_URL,
    start: { kind: 'redirect' },
    extras: {
      popup: {
        loginOrigin: new URL(loginURL).origin,
        // The popup opens the login page without redirect-uri: the page then postMessages { code }.
        async url() {
          const appName = c.appName ?? (await strategy!.client.appUsername());
          const u = new URL(loginURL);
          u.searchParams.set('app-name', appName);
          u.searchParams.set('popup', '1');
          return u.toString();
        },
      },
    },
    createStrategy: ({ callbackURL, verify }) => {
      strategy = new ZiqiangStrategy(
        {
          appKey: c.appKey,
          appSecret: c.appSecret,
          baseURL: c.baseURL,
          loginURL: c.loginURL,
          appName: c.appName,
          certifiedOnly: c.certifiedOnly,
          callbackURL,
        },
        verify,
      );
      return strategy;
    },
  };
}

/** 自强 Auth (Wuhan University): redirect flow, plus the popup / SPA flow that POSTs the code. */
export const ziqiang: PlatformWiring = {
  name: 'ziqiang',
  label: '自强 Auth Ziqiang (WHU)',
  callbackPaths: ['/auth/ziqiang/callback'],
  env: [
    { name: 'ZIQIANG_APP_KEY', required: true, description: 'app_key of your Ziqiang Auth app' },
    { name: 'ZIQIANG_APP_SECRET', required: true, secret: true, description: 'app_secret' },
    {
      name: 'ZIQIANG_APP_NAME',
      required: false,
      description: "the login page's app-name (default: the app's username from app login)",
    },
    { name: 'ZIQIANG_CERTIFIED_ONLY', required: false, description: 'refuse users without student certification (default true)' },
    { name: 'ZIQIANG_BASE_URL', required: false, description: `API origin (default ${DEFAULT_BASE_URL})` },
    { name: 'ZIQIANG_LOGIN_URL', required: false, description: `login page (default ${DEFAULT_LOGIN_URL})` },
  ],
  fromEnv(env: Env) {
    const why = 'to enable Ziqiang Auth (or unset every ZIQIANG_* variable)';
    return configure(
      {
        appKey: requireEnv(env, 'ZIQIANG_APP_KEY', why),
        appSecret: requireEnv(env, 'ZIQIANG_APP_SECRET', why),
        appName: envValue(env, 'ZIQIANG_APP_NAME'),
        certifiedOnly: envBool(env, 'ZIQIANG_CERTIFIED_ONLY', true),
        baseURL: envURL(env, 'ZIQIANG_BASE_URL'),
        loginURL: envURL(env, 'ZIQIANG_LOGIN_URL'),
      },
      'platform',
    );
  },
  async startEmbedded({ port, host }) {
    const emulator = await startZiqiangEmulator({ port, host });
    const platform = configure(
      { appKey: ZIQIANG_APP.appKey, appSecret: ZIQIANG_APP.appSecret, baseURL: emulator.url, certifiedOnly: true },
      'emulator',
    );
    return { platform, emulator };
  },
};
