// The shared conformance matrix (platform faults and bad input) against the emulator, twice: faults
// on every call, then only on the second call (the user), after a good code exchange.
import { describeConformance, type ConformanceTarget } from '@campus-passport/mock-platforms/testing';
import { TMPL_APP, TMPL_USERS, startTmplEmulator } from '@campus-passport/mock-platforms/tmpl';
import { TmplStrategy } from '../src';
import { approve } from './helpers';

function target(title: string, faultPath?: string): ConformanceTarget {
  return {
    title,
    startEmulator: () => startTmplEmulator(),
    createStrategy: (emulator, { timeout }) =>
      new TmplStrategy(
        { appId: TMPL_APP.appId, appSecret: TMPL_APP.appSecret, baseURL: emulator.url, callbackURL: '/callback', timeout },
        async (_credentials, profile) => ({ id: profile.id }),
      ),
    credentialParam: 'code',
    missingCredential: 'redirect',
    async validCallback({ agent }) {
      const res = await agent.get('/login');
      if (res.status !== 302) throw new Error(`expected a redirect, got ${res.status}`);
      const back = await approve(res.headers.location, TMPL_USERS[0].id);
      return { params: Object.fromEntries(back.searchParams) };
    },
    secrets: [TMPL_APP.appSecret],
    faultPath,
  };
}

describeConformance(target('tmpl'));
describeConformance(target('tmpl, faults on the user call', '/api/user'));
