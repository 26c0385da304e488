// The minimal example as a user runs it: a real server on 127.0.0.1, HDU Helper's emulator (no
// credentials set), a browser's walk through the login page, the profile, and logout.
import { HDUHELP_USERS } from '@campus-passport/mock-platforms/hduhelp';
import request from 'supertest';
import { start } from '../src/main';
import { chooseUser } from './login-page';

let running: Awaited<ReturnType<typeof start>>;
beforeAll(async () => {
  running = await start({ PORT: '0', HOST: '127.0.0.1' });
});
afterAll(() => running?.close());

const pathOf = (url: string) => `${new URL(url).pathname}${new URL(url).search}`;

describe('examples/minimal', () => {
  it('signs in through the HDU Helper emulator, greets the user, signs out', async () => {
    const user = HDUHELP_USERS[1];
    const agent = request.agent(running.url);
    expect((await agent.get('/').expect(200)).text).toContain('<a href="/auth/hduhelp">用杭电助手登录</a>');

    const login = await agent.get('/auth/hduhelp').expect(302);
    const authorize = new URL(login.headers.location);
    expect(authorize.pathname).toBe('/oauth/authorize');
    expect(authorize.hostname).toBe('127.0.0.1'); // the emulator, not api.hduhelp.com
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${running.url}/auth/hduhelp/callback`);

    const back = await chooseUser(login.headers.location, user.userId);
    expect(back.startsWith(`${running.url}/auth/hduhelp/callback?code=`)).toBe(true);
    const callback = await agent.get(pathOf(back)).expect(302);
    expect(callback.headers.location).toBe('/');
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain(`你好，${user.staffName}`);
    expect(home.text).toContain('action="/logout"');

    await agent.post('/logout').expect(302);
    expect((await agent.get('/').expect(200)).text).toContain('用杭电助手登录');
  });

  it('a callback with a forged state goes back home, signed out', async () => {
    const agent = request.agent(running.url);
    await agent.get('/auth/hduhelp').expect(302);
    const res = await agent.get('/auth/hduhelp/callback?code=abcdefghijklmnop&state=forged-state-0123456789').expect(302);
    expect(res.headers.location).toBe('/');
    expect((await agent.get('/')).text).not.toContain('你好');
  });
});
