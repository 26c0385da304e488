/**
 * Configuration: bad values stop startup with a message naming the variable; a platform left
 * unconfigured shows "not configured" and breaks nothing else; main() starts and stops cleanly.
 */
import request from 'supertest';
import { ConfigError, loadConfig, loadServerConfig, type Env } from '../src/config';
import { main } from '../src/main';
import { createLogger } from '../src/logger';
import { PLATFORMS } from '../src/platforms';
import { hduhelp } from '../src/platforms/hduhelp';
import { chooseUser } from './support/browserless';
import { caseOf } from './support/cases';
import { LogCapture, pathOf, startWithPlatforms, TEST_SECRET } from './support/demo';

function configError(env: Env): ConfigError {
  try {
    loadConfig(env, PLATFORMS);
    loadServerConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('with nothing set, every platform is unconfigured (main then embeds the emulators)', () => {
    const config = loadConfig({}, PLATFORMS);
    expect(config.platforms.map((p) => [p.wiring.name, p.configured])).toEqual(PLATFORMS.map((w) => [w.name, undefined]));
    expect(config.sessionSecretGenerated).toBe(true);
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.trustProxy).toBe(false);
    expect(config.redisURL).toBeUndefined();
  });

  it.each<[Env, string]>([
    [{ HDUHELP_CLIENT_ID: 'id' }, 'HDUHELP_CLIENT_SECRET'],
    [{ HDUHELP_CLIENT_SECRET: 'secret' }, 'HDUHELP_CLIENT_ID'],
    [{ HDUHELP_CLIENT_ID: 'id', HDUHELP_CLIENT_SECRET: 's', HDUHELP_BASE_URL: 'not a url' }, 'HDUHELP_BASE_URL'],
    [{ HDUHELP_CLIENT_ID: 'id', HDUHELP_CLIENT_SECRET: 's', HDUHELP_API: 'v3' }, 'HDUHELP_API'],
    [{ ZIQIANG_APP_KEY: 'k' }, 'ZIQIANG_APP_SECRET'],
    [{ ZIQIANG_APP_KEY: 'k', ZIQIANG_APP_SECRET: 's', ZIQIANG_CERTIFIED_ONLY: 'maybe' }, 'ZIQIANG_CERTIFIED_ONLY'],
    [{ NCUOS_APP_SECRET: 's' }, 'NCUOS_APP_CODE'],
    [{ NCUOS_APP_CODE: 'c', NCUOS_APP_SECRET: 's', NCUOS_GRANT_TYPE: 'password' }, 'NCUOS_GRANT_TYPE'],
    [{ DISABLED_AID_SIDE: 'service' }, 'DISABLED_AID_BASE_URL'],
    [{ DISABLED_AID_BASE_URL: 'ftp://x.example' }, 'DISABLED_AID_BASE_URL'],
    [{ DISABLED_AID_BASE_URL: 'https://x.example/p', DISABLED_AID_SIDE: 'admin' }, 'DISABLED_AID_SIDE'],
    [{ DISABLED_AID_BASE_URL: 'https://x.example/p', DISABLED_AID_FETCH_ROLES: 'true' }, 'DISABLED_AID_APP_ID'],
    [{ ZAFU_CLIENT_ID: 'c' }, 'ZAFU_CLIENT_SECRET'],
    [{ ZAFU_CLIENT_ID: 'c', ZAFU_CLIENT_SECRET: 's', ZAFU_TOKEN_URL: 'javascript:alert(1)' }, 'ZAFU_TOKEN_URL'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ PUBLIC_URL: 'https://app.example.edu/sub' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'app.example.edu' }, 'PUBLIC_URL'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    [{ TRUST_PROXY: 'yes please!' }, 'TRUST_PROXY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SESSION_MAX_AGE: '10' }, 'SESSION_MAX_AGE'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ EMULATOR_PORTS: 'random' }, 'EMULATOR_PORTS'],
  ])('%j → names %s', (env, variable) => {
    const err = configError(env);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
  });

  it('never echoes a secret value in the message', () => {
    const err = configError({ HDUHELP_CLIENT_SECRET: 'super-secret-value-123' });
    expect(err.message).not.toContain('super-secret-value-123');
  });

  it('a fully configured platform points at the real service', () => {
    const config = loadConfig(
      { HDUHELP_CLIENT_ID: 'id', HDUHELP_CLIENT_SECRET: 'secret', TRUST_PROXY: '1', PUBLIC_URL: 'https://app.example.edu/' },
      PLATFORMS,
    );
    const hdu = config.platforms.find((p) => p.wiring.name === 'hduhelp')!;
    expect(hdu.configured).toMatchObject({ mode: 'platform', baseURL: 'https://api.hduhelp.com' });
    expect(config.platforms.filter((p) => p.configured)).toHaveLength(1);
    expect(config.trustProxy).toBe(1);
    expect(config.publicURL).toBe('https://app.example.edu');
  });

  it('blank values count as unset', () => {
    const config = loadConfig({ HDUHELP_CLIENT_ID: '  ', ZAFU_CLIENT_SECRET: '' }, PLATFORMS);
    expect(config.platforms.every((p) => !p.configured)).toBe(true);
  });
});

describe('a platform left unconfigured', () => {
  it('shows "not configured", answers its routes with a clean error, and the others still work', async () => {
    const started = await hduhelp.startEmbedded({ port: 0, appOrigin: 'http://127.0.0.1' });
    const others = PLATFORMS.filter((w) => w.name !== 'hduhelp').map((wiring) => ({ wiring }));
    const app = await startWithPlatforms([{ wiring: hduhelp, configured: started.platform }, ...others]);
    try {
      const home = await request(app.url).get('/').expect(200);
      expect(home.text).toContain('data-testid="status-ziqiang">未配置<');
      const english = await request(app.url).get('/?lang=en').expect(200);
      expect(english.text).toContain('data-testid="status-ziqiang">not configured<');
      expect(home.text).toContain('ZIQIANG_APP_KEY');
      expect(home.text).toContain('data-login="hduhelp"');
      expect(home.text).not.toContain('data-login="ziqiang"');
      const off = await request(app.url).get('/auth/ziqiang').expect(404);
      expect(off.text).toContain('ERR_NOT_CONFIGURED');
      const health = await request(app.url).get('/healthz').expect(200);
      expect(health.body.platforms).toMatchObject({ hduhelp: 'emulator', ziqiang: 'not configured', zafu: 'not configured' });

      const agent = request.agent(app.url);
      const start = await agent.get('/auth/hduhelp').expect(302);
      const back = await chooseUser(start.headers.location, caseOf('hduhelp').user);
      await agent.get(pathOf(back)).expect(303);
      expect((await agent.get('/profile').expect(200)).text).toContain(caseOf('hduhelp').name);
    } finally {
      await app.close();
      await started.emulator.close();
    }
  });
});

describe('main', () => {
  it('bad configuration stops startup with a ConfigError naming the variable', async () => {
    await expect(main({ PORT: '0', ZAFU_CLIENT_ID: 'only-the-id' }, { banner: false })).rejects.toThrow(/^ZAFU_CLIENT_SECRET: /);
  });

  it('with no platform configured it embeds every emulator and warns about the memory store', async () => {
    const logs = new LogCapture();
    const running = await main(
      { PORT: '0', SESSION_SECRET: TEST_SECRET, EMULATOR_PORTS: 'free' },
      { banner: false, logger: createLogger({ level: 'info', destination: logs }) },
    );
    try {
      expect(running.embedded?.emulators.map((e) => e.name).sort()).toEqual(PLATFORMS.map((w) => w.name).sort());
      expect(logs.text).toContain('MemoryStore');
      const origin = running.url.replace('localhost', '127.0.0.1');
      const health = await request(origin).get('/healthz').expect(200);
      expect(Object.values(health.body.platforms)).toEqual(PLATFORMS.map(() => 'emulator'));
      // the disabled-aid portal and NCUOS callback point back at this app
      const agent = request.agent(origin);
      const start = await agent.get('/auth/ncuos').expect(302);
      const back = await chooseUser(start.headers.location, caseOf('ncuos').user);
      expect(back.startsWith(`${running.url}/auth/ncuos/callback?token=`)).toBe(true);
    } finally {
      await running.close();
    }
  });

  it('with a platform configured it uses only that one (no emulators)', async () => {
    const logs = new LogCapture();
    const running = await main(
      {
        PORT: '0',
        SESSION_SECRET: TEST_SECRET,
        ZAFU_CLIENT_ID: 'c',
        ZAFU_CLIENT_SECRET: 's',
        ZAFU_BASE_URL: 'http://127.0.0.1:9',
        ZAFU_SCOPE: 'base, profile',
      },
      { banner: false, logger: createLogger({ level: 'info', destination: logs }) },
    );
    try {
      expect(running.embedded).toBeUndefined();
      const health = await request(running.url.replace('localhost', '127.0.0.1')).get('/healthz').expect(200);
      expect(health.body.platforms).toEqual(
        Object.fromEntries(PLATFORMS.map((w) => [w.name, w.name === 'zafu' ? 'platform' : 'not configured'])),
      );
      expect(logs.text).not.toContain('"s"');
      // the login goes to the configured platform, with ZAFU_SCOPE space-separated
      const start = await request(running.url.replace('localhost', '127.0.0.1')).get('/auth/zafu').expect(302);
      const authorize = new URL(start.headers.location);
      expect(`${authorize.origin}${authorize.pathname}`).toBe('http://127.0.0.1:9/oauth/authorize');
      expect(authorize.searchParams.get('client_id')).toBe('c');
      expect(authorize.searchParams.get('scope')).toBe('base profile');
    } finally {
      await running.close();
    }
  });
});
