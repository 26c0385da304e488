import { emulators } from '@campus-passport/mock-platforms';
import { PLATFORMS } from '../../src/platforms';

/** One test user per platform: the data-user to click and the name the profile page must show. */
export interface LoginCase {
  platform: string;
  user: string;
  name: string;
}

/** Every platform the demo wires, in registry order, with the registry's seeded test user. */
export const CASES: LoginCase[] = emulators
  .filter((e) => PLATFORMS.some((w) => w.name === e.name))
  .map((e) => ({ platform: e.name, user: e.testUser.value, name: e.testUser.name }));

export function caseOf(platform: string): LoginCase {
  const found = CASES.find((c) => c.platform === platform);
  if (!found) throw new Error(`no login case for ${platform}: is it in the platform registry and the demo's PLATFORMS?`);
  return found;
}
