// With real credentials set, the example starts no emulator and sends users to HDU Helper itself.
import request from 'supertest';
import { start } from '../src/main';

it('HDUHELP_CLIENT_ID + HDUHELP_CLIENT_SECRET → the real platform (no emulator)', async () => {
  const running = await start({ PORT: '0', HOST: '127.0.0.1', HDUHELP_CLIENT_ID: 'my-app', HDUHELP_CLIENT_SECRET: 'my-secret' });
  try {
    const login = await request(running.url).get('/auth/hduhelp').expect(302);
    const authorize = new URL(login.headers.location);
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://api.hduhelp.com/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('my-app');
    expect(login.headers.location).not.toContain('my-secret');
  } finally {
    await running.close();
  }
});
