// What the three processes of `pnpm bench:compare` agree on: the flows, their variants, the one
// state every variant checks, and the route of each variant.

/**
 * The state every variant of every redirect flow checks, the same way: the callback must carry
 * exactly this value. Our strategies get it through their `stateStore` option (a store that issues
 * and accepts only this value), passport-oauth2 through its `store` option, the hand-written
 * handlers with one `===`. The per-session state stores are thereby left out of every variant
 * alike; the codes are minted with this state, so the platforms' own state checks pass.
 */
export const FIXED_STATE = 'bench-state-0123456789abcdefABCDEF';

/**
 * The flows, in the order they are measured, with their variants (the first is ours; `undici` —
 * a hand-written Express handler making the same platform calls with an undici Pool — is the
 * reference every ratio is taken against).
 *
 * - `ours`: the strategy package with its default options (plus the bench state store).
 * - `undici` / `fetch` / `axios`: hand-written handlers making the same platform calls.
 * - `passport-oauth2`: passport-oauth2's OAuth2Strategy with `userProfile` fetching the user info.
 * - `ceiling`: only `req.login()` — no platform call — the most any variant can reach.
 * - `passport-ceiling`: a Passport strategy that succeeds at once, through `passport.authenticate()`:
 *   the ceiling of any Passport strategy (what Passport itself adds to `req.login()`).
 */
export const FLOWS = [
  {
    name: 'hduhelp',
    title: 'HDU classic (code → GET /oauth/token → person info)',
    variants: ['ours', 'undici', 'fetch', 'axios', 'ceiling', 'passport-ceiling'],
    // the platform's minimum: the token call and the person call
    minimumCalls: 2,
  },
  {
    name: 'zafu',
    title: 'ZAFU (OAuth 2.0 code → POST /oauth/token → userinfo)',
    variants: ['ours', 'undici', 'fetch', 'axios', 'passport-oauth2', 'ceiling', 'passport-ceiling'],
    minimumCalls: 2,
  },
  {
    name: 'ziqiang',
    title: 'Ziqiang (code → union id → user, app token cached)',
    variants: ['ours', 'undici'],
    minimumCalls: 2,
  },
  {
    name: 'ncuos',
    title: 'NCUOS (signed login-token verify, refresh_token mode)',
    variants: ['ours', 'undici'],
    minimumCalls: 1,
  },
  {
    name: 'disabled-aid',
    title: 'disabled-aid (stoken → user, then roles + permissions)',
    variants: ['ours', 'undici'],
    minimumCalls: 3,
  },
];

export const REFERENCE = 'undici';

/** The route of one variant on the app. */
export function callbackPath(flow, variant) {
  return `/${flow}/${variant}/callback`;
}

/** Whether a variant needs a fresh credential per request (all but the ceilings). */
export function needsCredential(variant) {
  return variant !== 'ceiling' && variant !== 'passport-ceiling';
}
