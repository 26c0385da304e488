/** `.env.example` documents every variable the app reads, one block per platform. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORMS } from '../src/platforms';

const text = readFileSync(join(__dirname, '..', '.env.example'), 'utf8');
const APP_VARS = [
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'SESSION_SECRET',
  'SESSION_MAX_AGE',
  'SESSION_COOKIE_NAME',
  'REDIS_URL',
  'TRUST_PROXY',
  'LOG_LEVEL',
  'EMULATOR_PORTS',
];

describe('.env.example', () => {
  it.each(APP_VARS)('documents %s', (name) => {
    expect(text).toMatch(new RegExp(`^# ${name}=`, 'm'));
  });

  it.each(PLATFORMS.map((p) => [p.name, p] as const))(
    'has a block for %s with all its variables and its callback',
    (_name, wiring) => {
      for (const v of wiring.env) expect(text).toMatch(new RegExp(`^# ${v.name}=`, 'm'));
      for (const path of wiring.callbackPaths) expect(text).toContain(path);
    },
  );

  it('sets no value (everything is commented out: the embedded emulators are the default)', () => {
    expect(text.split('\n').filter((l) => /^[A-Z_]+=/.test(l))).toEqual([]);
  });
});
