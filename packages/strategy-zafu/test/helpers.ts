import { type CampusAuthError } from '@campus-passport/core';

/** The error a promise rejects with (fails the test when it resolves). */
export async function caught(p: Promise<unknown>): Promise<CampusAuthError> {
  try {
    await p;
  } catch (err) {
    return err as CampusAuthError;
  }
  throw new Error('expected a rejection');
}
