import { ZAFU_DEFAULT_CLIENT_ID, ZAFU_DEFAULT_CLIENT_SECRET, startZafuEmulator } from '@campus-passport/mock-platforms/zafu';
import { Strategy as ZafuStrategy, ZAFU_BASE_URL } from '@campus-passport/zafu';
import { envURL, envValue, requireEnv, type Env } from '../config';
import type { ConfiguredPlatform, PlatformWiring } from './types';

interface ZafuConfig {
  clientID: string;
  clientSecret: string;
  baseURL?: string;
  authorizationURL?: string;
  tokenURL?: string;
  userInfoURL?: string;
  scope?: string[];
}

function configure(c: ZafuConfig, mode: ConfiguredPlatform['mode']): ConfiguredPlatform {
  return {
    name: 'zafu',
    mode,
    baseURL: c.baseURL ?? ZAFU_BASE_URL,
    start: { kind: 'redirect' },
    createStrategy: ({ callbackURL, verify }) =>
      new ZafuStrategy(
        {
          clientID: c.clientID,
          clientSecret: c.clientSecret,
          baseURL: c.baseURL,
          authorizationURL: c.authorizationURL,
          tokenURL: c.tokenURL,
          userInfoURL: c.userInfoURL,
          scope: c.scope,
          callbackURL,
        },
        verify,
      ),
  };
}

/** 浙江农林大学 ZAFU open platform: OAuth 2.0 authorization code (endpoints unconfirmed, all configurable). */
export const zafu: PlatformWiring = {
  name: 'zafu',
  label: '浙江农林大学 ZAFU open platform',
  callbackPaths: ['/auth/zafu/callback'],
  env: [
    { name: 'ZAFU_CLIENT_ID', required: true, description: 'client_id of your open-platform app' },
    { name: 'ZAFU_CLIENT_SECRET', required: true, secret: true, description: 'client_secret' },
    { name: 'ZAFU_SCOPE', required: false, description: 'scopes to ask for (space- or comma-separated)' },
    { name: 'ZAFU_BASE_URL', required: false, description: `platform origin (default ${ZAFU_BASE_URL})` },
    {
      name: 'ZAFU_AUTHORIZATION_URL',
      required: false,
      description: 'authorize endpoint (default <base>/oauth/authorize, unconfirmed)',
    },
    { name: 'ZAFU_TOKEN_URL', required: false, description: 'token endpoint (default <base>/oauth/token, unconfirmed)' },
    {
      name: 'ZAFU_USERINFO_URL',
      required: false,
      description: 'user-info endpoint (default <base>/oauth/userinfo, unconfirmed)',
    },
  ],
  fromEnv(env: Env) {
    const why = 'to enable ZAFU (or unset every ZAFU_* variable)';
    return configure(
      {
        clientID: requireEnv(env, 'ZAFU_CLIENT_ID', why),
        clientSecret: requireEnv(env, 'ZAFU_CLIENT_SECRET', why),
        // "a b" or "a,b" → ['a', 'b'] (sent space-separated, as OAuth 2.0 wants)
        scope: envValue(env, 'ZAFU_SCOPE')
          ?.split(/[\s,]+/)
          .filter(Boolean),
        baseURL: envURL(env, 'ZAFU_BASE_URL'),
        authorizationURL: envURL(env, 'ZAFU_AUTHORIZATION_URL'),
        tokenURL: envURL(env, 'ZAFU_TOKEN_URL'),
        userInfoURL: envURL(env, 'ZAFU_USERINFO_URL'),
      },
      'platform',
    );
  },
  async startEmbedded({ port, host }) {
    const emulator = await startZafuEmulator({ port, host });
    const platform = configure(
      { clientID: ZAFU_DEFAULT_CLIENT_ID, clientSecret: ZAFU_DEFAULT_CLIENT_SECRET, baseURL: emulator.url },
      'emulator',
    );
    return { platform, emulator };
  },
};
