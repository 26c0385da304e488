import { CampusAuthError, isCampusAuthError } from '../src';

describe('CampusAuthError', () => {
  it('carries code, default status, platform fields', () => {
    const e = new CampusAuthError('ERR_INVALID_CREDENTIAL', 'bad code', { platform: 'ziqiang', platformCode: 'A0514' });
    expect(e.code).toBe('ERR_INVALID_CREDENTIAL');
    expect(e.status).toBe(401);
    expect(e.isUserError).toBe(true);
    expect(e.platformCode).toBe('A0514');
    expect(isCampusAuthError(e)).toBe(true);
    expect(isCampusAuthError(new Error('x'))).toBe(false);
    expect(new CampusAuthError('ERR_TIMEOUT', 't').retryable).toBe(true);
    expect(new CampusAuthError('ERR_PLATFORM', 'p').isUserError).toBe(false);
  });

  it('redacts secrets from message, platformMessage, details, cause, stack and JSON', () => {
    const secret = 'TopSecretValue-123';
    const cause = new Error(`GET https://x/oauth/token?client_secret=${secret} failed`);
    const e = new CampusAuthError('ERR_PLATFORM', `call with app_secret=${secret}`, {
      platformMessage: `bad secret ${secret}`,
      details: { app_secret: secret, note: `see ${secret}` },
      cause,
      secrets: [secret],
    });
    const all = [
      e.message,
      e.platformMessage,
      e.stack,
      JSON.stringify(e),
      JSON.stringify(e.details),
      e.cause?.message,
      e.cause?.stack,
    ].join('\n');
    expect(all).not.toContain(secret);
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.cause).not.toBe(cause);
  });
  it('carries the platform request id in the field and in toJSON()', () => {
    const e = new CampusAuthError('ERR_PLATFORM', 'x', { platform: 'p', requestId: 'req-123' });
    expect(e.requestId).toBe('req-123');
    expect(e.toJSON()).toMatchObject({ requestId: 'req-123' });
    expect(new CampusAuthError('ERR_PLATFORM', 'y').toJSON().requestId).toBeUndefined();
  });
});
