// What every framework recipe (examples/fastify, koa, nestjs) is held to, as a user runs it: a real
// server on 127.0.0.1, HDU Helper's emulator (no credentials set), the emulator's login page, the
// callback, the greeting, logout — and a forged state answered 403 ERR_STATE. One copy; a recipe's
// own test file adds what only it does.
import { HDUHELP_CLIENT_SECRET, HDUHELP_USERS } from '@campus-passport/mock-platforms/hduhelp';
import { chooseUser as walkLoginPage } from '@campus-passport/mock-platforms/testing';
import request from 'supertest';

export interface RunningRecipe {
  url: string;
  close(): Promise<void>;
}

/** The browser on the emulator's login page: submit its form choosing `userId` (the testing kit's walk). */
export async function chooseUser(authorize: URL, userId: string): Promise<URL> {
  return new URL(await walkLoginPage(authorize.toString(), userId));
}

/**
 * `describe(name)` with the recipe's server started for it and the shared tests; `more` adds the
 * recipe's own tests, reading the running server through `running()`.
 */
export function describeHduHelpRecipe(
  name: string,
  start: (env: NodeJS.ProcessEnv) => Promise<RunningRecipe>,
  more?: (running: () => RunningRecipe) => void,
): void {
  let running: RunningRecipe;
  beforeAll(async () => {
    running = await start({ PORT: '0', HOST: '127.0.0.1' });
  });
  afterAll(() => running?.close());

  describe(name, () => {
    it('signs in through the HDU Helper emulator and shows the user', async () => {
      const user = HDUHELP_USERS[1];
      const agent = request.agent(running.url);
      expect((await agent.get('/').expect(200)).text).toContain('<a href="/auth/hduhelp">用杭电助手登录</a>');

      const login = await agent.get('/auth/hduhelp').expect(302);
      const authorize = new URL(login.headers.location);
      expect(`${authorize.hostname}${authorize.pathname}`).toBe('127.0.0.1/oauth/authorize'); // the emulator
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${running.url}/auth/hduhelp/callback`);

      const back = await chooseUser(authorize, user.userId);
      expect(back.href.startsWith(`${running.url}/auth/hduhelp/callback?code=`)).toBe(true);
      const callback = await agent.get(`${back.pathname}${back.search}`).expect(302);
      expect(callback.headers.location).toBe('/');
      expect((await agent.get('/').expect(200)).text).toContain(`你好，${user.staffName}`);

      await agent.post('/logout').expect(302);
      expect((await agent.get('/').expect(200)).text).toContain('用杭电助手登录');
    });

    it('a forged state reaches the client as 403 { code: ERR_STATE }, nothing secret, still signed out', async () => {
      const agent = request.agent(running.url);
      await agent.get('/auth/hduhelp').expect(302);
      const res = await agent.get('/auth/hduhelp/callback?code=abcdefghijklmnop&state=forged-state-0123456789').expect(403);
      expect(res.body).toEqual({ code: 'ERR_STATE', message: expect.stringContaining('state') });
      expect(res.text).not.toContain('abcdefghijklmnop');
      expect(res.text).not.toContain(HDUHELP_CLIENT_SECRET);
      expect((await agent.get('/')).text).not.toContain('你好');
    });

    more?.(() => running);
  });
}
