/**
 * Two tabs: logins pending in tab 2 survive the login finished in tab 1 — although passport 0.7
 * regenerates the session at `req.logIn` — on every platform whose flow carries a state.
 */
import request from 'supertest';
import { chooseUser } from './support/browserless';
import { CASES } from './support/cases';
import { followToErrorPage, pathOf, sessionCookie, startDemo, type Demo } from './support/demo';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => {
  await demo?.close();
});

describe.each(['hduhelp', 'ziqiang', 'zafu'])('%s: two tabs', (platform) => {
  it('tab 2 finishes its login after tab 1 logged in (session regenerated); its state is still single-use', async () => {
    const { user } = CASES.find((c) => c.platform === platform)!;
    const agent = request.agent(demo.url);
    const tab1 = await agent.get(`/auth/${platform}`);
    const tab2 = await agent.get(`/auth/${platform}`);
    expect([302, 303]).toContain(tab1.status);
    expect([302, 303]).toContain(tab2.status);
    const back1 = await chooseUser(tab1.headers.location, user);
    const back2 = await chooseUser(tab2.headers.location, user);

    const done1 = await agent.get(pathOf(back1));
    expect(done1.status).toBe(303);
    const before = sessionCookie(tab1.headers['set-cookie']);
    expect(sessionCookie(done1.headers['set-cookie'])).not.toBe(before); // regenerated

    const done2 = await agent.get(pathOf(back2));
    expect(done2.status).toBe(303);
    expect(done2.headers.location).not.toMatch(/error|ERR_STATE/);
    await agent.get('/profile').expect(200);

    // replaying tab 2's callback is still refused (on the clean error URL)
    const { page: replay } = await followToErrorPage(agent, await agent.get(pathOf(back2)), back2);
    expect(replay.text).toContain('ERR_STATE');
  });
});
