import { Strategy as DisabledAidStrategy, SIDES, type DisabledAidSide } from '@campus-passport/disabled-aid';
import { DEFAULT_APP_ID, startDisabledAidEmulator } from '@campus-passport/mock-platforms/disabled-aid';
import { envBool, envEnum, envURL, envValue, requireEnv, type Env } from '../config';
import type { ConfiguredPlatform, PlatformWiring } from './types';

interface DisabledAidConfig {
  baseURL: string;
  side: DisabledAidSide;
  portalURL?: string;
  appId?: string;
  fetchRoles: boolean;
  fetchPermissions: boolean;
}

function configure(c: DisabledAidConfig, mode: ConfiguredPlatform['mode']): ConfiguredPlatform {
  return {
    name: 'disabled-aid',
    mode,
    baseURL: c.baseURL,
    start: { kind: 'portal', url: c.portalURL },
    createStrategy: ({ verify }) =>
      new DisabledAidStrategy(
        {
          baseURL: c.baseURL,
          side: c.side,
          portalURL: c.portalURL,
          // the demo names the side a user belongs to (two extra platform calls per refused stoken)
          detectWrongSide: true,
          appId: c.appId,
          fetchRoles: c.fetchRoles,
          fetchPermissions: c.fetchPermissions,
        },
        verify,
      ),
  };
}

/** 智慧助残数字化平台 (Hangzhou): the platform's portal opens the app with ?stoken=. */
export const disabledAid: PlatformWiring = {
  name: 'disabled-aid',
  label: '智慧助残 Disabled-aid platform (Hangzhou)',
  callbackPaths: ['/auth/disabled-aid/callback'],
  env: [
    {
      name: 'DISABLED_AID_BASE_URL',
      required: true,
      description: 'platform prefix, e.g. https://host/disable-mis-bidp (given by the platform)',
    },
    { name: 'DISABLED_AID_SIDE', required: false, description: "'governance' (default), 'service' or 'collaboration'" },
    {
      name: 'DISABLED_AID_PORTAL_URL',
      required: false,
      description: 'where visitors without a stoken are sent (the platform portal)',
    },
    { name: 'DISABLED_AID_APP_ID', required: false, description: 'your app id (aid); needed to fetch roles and permissions' },
    {
      name: 'DISABLED_AID_FETCH_ROLES',
      required: false,
      description: 'also fetch roles and permissions (default false; needs DISABLED_AID_APP_ID)',
    },
  ],
  fromEnv(env: Env) {
    const baseURL = envURL(env, 'DISABLED_AID_BASE_URL');
    if (baseURL === undefined)
      requireEnv(env, 'DISABLED_AID_BASE_URL', 'to enable the disabled-aid platform (or unset every DISABLED_AID_* variable)');
    const appId = envValue(env, 'DISABLED_AID_APP_ID');
    const fetch = envBool(env, 'DISABLED_AID_FETCH_ROLES', false);
    if (fetch && !appId) requireEnv(env, 'DISABLED_AID_APP_ID', 'when DISABLED_AID_FETCH_ROLES is true');
    return configure(
      {
        baseURL: baseURL!,
        side: envEnum(env, 'DISABLED_AID_SIDE', SIDES, 'governance'),
        portalURL: envURL(env, 'DISABLED_AID_PORTAL_URL'),
        appId,
        fetchRoles: fetch,
        fetchPermissions: fetch,
      },
      'platform',
    );
  },
  async startEmbedded({ port, host, appOrigin }) {
    const emulator = await startDisabledAidEmulator({ port, host, appURL: `${appOrigin}/auth/disabled-aid/callback` });
    const platform = configure(
      {
        baseURL: emulator.url,
        side: 'governance',
        portalURL: `${emulator.url}/portal`,
        appId: DEFAULT_APP_ID,
        fetchRoles: true,
        fetchPermissions: true,
      },
      'emulator',
    );
    return { platform, emulator };
  },
};
