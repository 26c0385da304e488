import { describeConformance, type ConformanceTarget } from '@campus-passport/mock-platforms/testing';
import {
  HDUHELP_CLIENT_ID,
  HDUHELP_CLIENT_SECRET,
  HDUHELP_NEO_APP_ID,
  HDUHELP_NEO_APP_SECRET,
  HDUHELP_USERS,
  startHduhelpEmulator,
} from '@campus-passport/mock-platforms/hduhelp';
import { HduHelpStrategy } from '../src';
import { approve } from './helpers';

/** Walk /login → the emulator's login page → back, as a browser; return the callback's params. */
async function validCallback({
  agent,
}: {
  agent: { get(path: string): PromiseLike<{ status: number; headers: Record<string, string> }> };
}) {
  const res = await agent.get('/login');
  if (res.status !== 302) throw new Error(`expected a redirect, got ${res.status}`);
  const back = await approve(new URL(res.headers.location), HDUHELP_USERS[0].userId);
  return { params: Object.fromEntries(back.searchParams) };
}

/** One conformance target per API; faults on every path unless `faultPath`. */
function target(title: string, api: 'classic' | 'neo', faultPath?: string): ConformanceTarget {
  const [clientID, clientSecret] =
    api === 'neo' ? [HDUHELP_NEO_APP_ID, HDUHELP_NEO_APP_SECRET] : [HDUHELP_CLIENT_ID, HDUHELP_CLIENT_SECRET];
  return {
    title,
    startEmulator: () => startHduhelpEmulator(),
    createStrategy: (emulator, { timeout }) =>
      new HduHelpStrategy(
        { api, clientID, clientSecret, callbackURL: '/callback', baseURL: emulator.url, timeout },
        async (_c, profile) => ({ id: profile.id }),
      ),
    credentialParam: 'code',
    missingCredential: 'redirect',
    validCallback,
    secrets: [clientSecret],
    faultPath,
  };
}

describeConformance(target('hduhelp classic', 'classic'));
describeConformance(target('hduhelp neo', 'neo'));
// the same matrix with the faults on the second call (person info), after a good token exchange
describeConformance(target('hduhelp classic, faults on person info', 'classic', '/salmon_base/person/info'));
