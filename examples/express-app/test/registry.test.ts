/**
 * The demo takes its platforms' ports, order and test users from the platform registry
 * (`@campus-passport/mock-platforms`), so a new platform needs no edit in the demo's tests.
 */
import { emulators, platformNames } from '@campus-passport/mock-platforms';
import { EMULATOR_PORTS } from '../src/embedded';
import { PLATFORMS } from '../src/platforms';
import { CASES } from './support/cases';

describe('the demo and the platform registry', () => {
  it('wires only registered platforms, in registry order, and all five of the original ones', () => {
    const wired = PLATFORMS.map((w) => w.name);
    expect(wired).toEqual(platformNames().filter((n) => wired.includes(n)));
    expect(wired).toEqual(expect.arrayContaining(['hduhelp', 'ziqiang', 'ncuos', 'disabled-aid', 'zafu']));
  });

  it('starts each emulator on the fixed port campus-mock uses (4101–4105 for the five)', () => {
    expect(EMULATOR_PORTS).toEqual(Object.fromEntries(emulators.map((e) => [e.name, e.port])));
    expect(EMULATOR_PORTS).toMatchObject({ hduhelp: 4101, ziqiang: 4102, ncuos: 4103, 'disabled-aid': 4104, zafu: 4105 });
  });

  it('has a login case (seeded user and shown name) for every platform it wires', () => {
    expect(CASES.map((c) => c.platform)).toEqual(PLATFORMS.map((w) => w.name));
    for (const c of CASES) {
      expect(c.user).toMatch(/\S/);
      expect(c.name).toMatch(/\S/);
    }
  });
});
