// HduHelpStrategy as a Nest provider: @nestjs/passport's mixin registers it with Passport as 'hduhelp'
// and turns `validate()` into the strategy's verify callback.
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import {
  HduHelpStrategy,
  type HduHelpCredentials,
  type HduHelpProfile,
  type HduHelpStrategyOptions,
} from '@campus-passport/hduhelp';

/** The provider token of the strategy's options (the module builds them at start-up). */
export const HDUHELP_OPTIONS = Symbol('HDUHELP_OPTIONS');

/** What the app keeps in the session. */
export interface User {
  id: string;
  name: string;
}

@Injectable()
export class HduHelpAuthStrategy extends PassportStrategy(HduHelpStrategy, 'hduhelp') {
  constructor(@Inject(HDUHELP_OPTIONS) options: HduHelpStrategyOptions) {
    super(options);
  }

  /** verify(credentials, profile): the signed-in user. Throwing here is an error (500), not a failed sign-in. */
  validate(_credentials: HduHelpCredentials, profile: HduHelpProfile): User {
    return { id: profile.id, name: profile.displayName };
  }
}
