/**
 * HDU Helper's walking helpers over the testing kit's app (`strategyApp`): a browser (an agent
 * that keeps its session cookie) going /login → the emulator's login page → back to /callback.
 */
import type { Strategy } from 'passport-strategy';
import type supertest from 'supertest';
import { strategyApp, type StrategyApp, type StrategyAppOptions } from '@campus-passport/mock-platforms/testing';

/** A cookie-keeping browser of one kit app. */
export type Agent = InstanceType<typeof supertest.agent> & { kit: StrategyApp };

/** The kit's app around the strategy (GET /login, GET|POST /callback). */
export function appFor(strategy: Strategy, opts: StrategyAppOptions = {}): StrategyApp {
  return strategyApp(strategy, { prefix: 'hduhelp', ...opts });
}

/** A new browser of `app`. */
export function browserOf(app: StrategyApp): Agent {
  return Object.assign(app.agent(), { kit: app });
}

/** A new browser of a new app around the strategy. */
export function agentFor(strategy: Strategy, opts?: StrategyAppOptions): Agent {
  return browserOf(appFor(strategy, opts));
}

/** GET /login on the app; returns the platform authorize URL it redirects to. */
export async function startLogin(agent: InstanceType<typeof supertest.agent>, path = '/login'): Promise<URL> {
  const res = await agent.get(path);
  if (res.status !== 302) throw new Error(`expected a redirect from ${path}, got ${res.status} ${res.text}`);
  return new URL(res.headers.location);
}

/**
 * Act as the browser on the emulator's login page: submit the form (POST to the authorize URL)
 * choosing `user` (or denying). Returns the URL the platform sends the browser back to.
 */
export async function approve(authorizeURL: URL, user: string | { deny: true }): Promise<URL> {
  const form = new URLSearchParams(authorizeURL.searchParams);
  if (typeof user === 'string') form.set('user', user);
  else form.set('deny', '1');
  const res = await fetch(`${authorizeURL.origin}${authorizeURL.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  await res.text();
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`the emulator did not redirect back (HTTP ${res.status})`);
  return new URL(location);
}

/** Walk /login → platform login page → back: the callback's path + query, ready for the agent. */
export async function walk(agent: Agent, user: string, loginPath = '/login'): Promise<string> {
  const back = await approve(await startLogin(agent, loginPath), user);
  return `${back.pathname}${back.search}`;
}

/** Call the callback as this browser (cookies): the kit asserts exactly one Passport action. */
export function callback(
  agent: Agent,
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<supertest.Response & { action: string }> {
  return agent.kit.call('get', pathAndQuery, { agent, headers });
}

/** Replace (or drop, with undefined) one query parameter of a path + query. */
export function withParam(pathAndQuery: string, name: string, value: string | undefined): string {
  const u = new URL(pathAndQuery, 'http://x');
  if (value === undefined) u.searchParams.delete(name);
  else u.searchParams.set(name, value);
  return `${u.pathname}${u.search}`;
}
