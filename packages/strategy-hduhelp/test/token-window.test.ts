/**
 * The early-refresh window, pure: 60 s before expiry, clamped to half the lifetime when it is
 * known, 2 h when the platform gives no lifetime (hduhelp-neo-sdk-go core/token.go earlyRefresh,
 * earlyLead, lifetimeOf, window), and a seed of unknown expiry refreshed on first use
 * (core/userauth.go NewUserTokenSource).
 */
import { EARLY_REFRESH_MS, FALLBACK_LIFETIME_MS, earlyRefreshLead, seededWindow, tokenWindow } from '../src';

const T = 1_700_000_000_000;

describe('earlyRefreshLead', () => {
  it.each([
    [undefined, 60_000],
    [7_200_000, 60_000],
    [120_000, 60_000],
    [100_000, 50_000],
    [60_000, 30_000],
    [1_000, 500],
    [0, 0],
  ])('lifetime %p ms → %p ms before expiry', (lifetime, lead) => {
    expect(earlyRefreshLead(lifetime)).toBe(lead);
  });

  it('the constants are the SDK values', () => {
    expect(EARLY_REFRESH_MS).toBe(60_000);
    expect(FALLBACK_LIFETIME_MS).toBe(2 * 60 * 60 * 1000);
  });
});

describe('tokenWindow (a token just issued, expiresIn seconds)', () => {
  it('7200 s: refresh 60 s before the expiry', () => {
    expect(tokenWindow(T, 7200)).toEqual({ refreshAt: T + 7_200_000 - 60_000, expiresAt: T + 7_200_000, lifetime: 7_200_000 });
  });

  it('100 s: the lead is clamped to half the lifetime (50 s)', () => {
    expect(tokenWindow(T, 100)).toEqual({ refreshAt: T + 50_000, expiresAt: T + 100_000, lifetime: 100_000 });
  });

  it('1 s: refresh after half a second, never before the token is issued', () => {
    const w = tokenWindow(T, 1);
    expect(w.refreshAt).toBe(T + 500);
    expect(w.refreshAt).toBeGreaterThan(T);
  });

  it.each([[0], [-5], [undefined], [Number.NaN]])('expiresIn %p → the 2 h fallback lifetime', (expiresIn) => {
    expect(tokenWindow(T, expiresIn)).toEqual({
      refreshAt: T + FALLBACK_LIFETIME_MS - 60_000,
      expiresAt: T + FALLBACK_LIFETIME_MS,
      lifetime: FALLBACK_LIFETIME_MS,
    });
  });
});

describe('seededWindow (a token a login handed over)', () => {
  it('known expiry, unknown lifetime: the plain 60 s', () => {
    expect(seededWindow(T + 45_000, undefined, true, T)).toEqual({
      refreshAt: T - 15_000,
      expiresAt: T + 45_000,
      lifetime: undefined,
    });
  });

  it('known expiry and lifetime: clamped to half of it', () => {
    expect(seededWindow(T + 60_000, 60_000, true, T)).toEqual({ refreshAt: T + 30_000, expiresAt: T + 60_000, lifetime: 60_000 });
  });

  it('unknown expiry with a refresh token: refreshed at once (nothing is trusted)', () => {
    expect(seededWindow(undefined, undefined, true, T)).toEqual({ refreshAt: T, expiresAt: T });
  });

  it('unknown expiry without a refresh token: trusted for the 2 h fallback', () => {
    expect(seededWindow(undefined, undefined, false, T).expiresAt).toBe(T + FALLBACK_LIFETIME_MS);
  });
});
