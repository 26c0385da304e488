// The NestJS recipe as a user runs it: the shared recipe suite (examples/shared/hduhelp-recipe.ts) — a
// real server on 127.0.0.1, HDU Helper's emulator, the login page, the callback, the greeting — and
// HduHelpGuard's answers: each failed sign-in or error with campus-passport's code and status, where
// Nest's own AuthGuard says a bare 401 / 500.
import { HDUHELP_CLIENT_SECRET, HDUHELP_USERS } from '@campus-passport/mock-platforms/hduhelp';
import request from 'supertest';
import { chooseUser, describeHduHelpRecipe } from '../../shared/hduhelp-recipe';
import { start } from '../src/main';

describeHduHelpRecipe('examples/nestjs', start, (running) => {
  it('a used-up code with a good state: 401 { code: ERR_INVALID_CREDENTIAL }, the code not echoed', async () => {
    const agent = request.agent(running().url);
    const authorize = new URL((await agent.get('/auth/hduhelp').expect(302)).headers.location);
    const back = await chooseUser(authorize, HDUHELP_USERS[0].userId);
    await agent.get(`${back.pathname}${back.search}`).expect(302); // signed in; the code is spent
    const again = new URL((await agent.get('/auth/hduhelp').expect(302)).headers.location);
    const code = back.searchParams.get('code') ?? '';
    const res = await agent.get(`/auth/hduhelp/callback?code=${code}&state=${again.searchParams.get('state')}`).expect(401);
    expect(res.body).toEqual({ code: 'ERR_INVALID_CREDENTIAL', message: expect.any(String) });
    expect(res.text).not.toContain(code);
    expect(res.text).not.toContain(HDUHELP_CLIENT_SECRET);
  });

  it('an error (the platform sent back ?error=server_error) keeps its status and code: 502 ERR_PLATFORM', async () => {
    const res = await request(running().url).get('/auth/hduhelp/callback?error=server_error').expect(502);
    expect(res.body).toEqual({ code: 'ERR_PLATFORM', message: expect.stringContaining('server_error') });
  });
});
