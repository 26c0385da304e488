import { describeConformance } from '@campus-passport/mock-platforms/testing';
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

describeConformance({
  title: 'hduhelp classic',
  startEmulator: () => startHduhelpEmulator(),
  createStrategy: (emulator, { timeout }) =>
    new HduHelpStrategy(
      {
        clientID: HDUHELP_CLIENT_ID,
        clientSecret: HDUHELP_CLIENT_SECRET,
        callbackURL: '/callback',
        baseURL: emulator.url,
        timeout,
      },
      async (_c, profile) => ({ id: profile.id }),
    ),
  credentialParam: 'code',
  missingCredential: 'redirect',
  validCallback,
  secrets: [HDUHELP_CLIENT_SECRET],
});

describeConformance({
  title: 'hduhelp neo',
  startEmulator: () => startHduhelpEmulator(),
  createStrategy: (emulator, { timeout }) =>
    new HduHelpStrategy(
      {
        api: 'neo',
        clientID: HDUHELP_NEO_APP_ID,
        clientSecret: HDUHELP_NEO_APP_SECRET,
        callbackURL: '/callback',
        baseURL: emulator.url,
        timeout,
      },
      async (_c, profile) => ({ id: profile.id }),
    ),
  credentialParam: 'code',
  missingCredential: 'redirect',
  validCallback,
  secrets: [HDUHELP_NEO_APP_SECRET],
});

// the same matrix with the faults on the second call (person info), after a good token exchange
describeConformance({
  title: 'hduhelp classic, faults on person info',
  startEmulator: () => startHduhelpEmulator(),
  createStrategy: (emulator, { timeout }) =>
    new HduHelpStrategy(
      {
        clientID: HDUHELP_CLIENT_ID,
        clientSecret: HDUHELP_CLIENT_SECRET,
        callbackURL: '/callback',
        baseURL: emulator.url,
        timeout,
      },
      async (_c, profile) => ({ id: profile.id }),
    ),
  credentialParam: 'code',
  missingCredential: 'redirect',
  validCallback,
  secrets: [HDUHELP_CLIENT_SECRET],
  faultPath: '/salmon_base/person/info',
});
