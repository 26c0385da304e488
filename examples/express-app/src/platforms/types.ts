import { type CampusProfile, type VerifyDone } from '@campus-passport/core';
import type { Emulator } from '@campus-passport/mock-platforms';
import type { Strategy } from 'passport';
import type { Env } from '../config';

/** What the demo keeps in the session for a signed-in user (no tokens: the demo never needs them). */
export interface DemoUser {
  provider: string;
  id: string;
  displayName: string;
  /** The normalized profile without `_json` / `_raw`. */
  profile: Record<string, unknown>;
  /** The platform's data as parsed (`profile._json`), secrets removed. */
  raw: unknown;
  /** ISO time of the login. */
  loggedInAt: string;
}

/** The app's verify: every platform's (credentials, profile, done). */
export type DemoVerify = (credentials: unknown, profile: CampusProfile, done: VerifyDone<DemoUser>) => void;

export interface StrategyContext {
  /** The callback URL this platform returns to: absolute with PUBLIC_URL, else a path resolved per request. */
  callbackURL: string;
  verify: DemoVerify;
}

/** One documented environment variable (for `.env.example`, the README and error messages). */
export interface EnvVarDoc {
  name: string;
  required: boolean;
  secret?: boolean;
  description: string;
}

/** How a user starts a login on this platform. */
export type StartKind =
  /** GET /auth/<name> redirects to the platform's login page. */
  | { kind: 'redirect' }
  /** The user starts at the platform's portal, which links into /auth/<name>/callback?stoken=… */
  | { kind: 'portal'; url?: string };

/** A platform with its configuration applied: everything the app needs to mount it. */
export interface ConfiguredPlatform {
  /** Passport strategy name and route segment (/auth/<name>). */
  name: string;
  /** 'platform' = the real service (or a test environment); 'emulator' = embedded emulator. */
  mode: 'platform' | 'emulator';
  /** The origin the strategy talks to (shown on the home page). */
  baseURL: string;
  start: StartKind;
  /** Extra flows shown on the home page beside the redirect flow. */
  extras?: {
    /** Ziqiang: open the login page in a popup, receive the code by postMessage, POST it. */
    popup?: {
      /** Origin of the login page: the only origin whose messages the page accepts. */
      loginOrigin: string;
      /** The login page URL opened in the popup (GET /auth/<name>/popup redirects there). */
      url(): Promise<string>;
    };
    /** NCUOS: a single-page app receives the token on the callback route and POSTs it to the backend. */
    spaToken?: { param: string };
  };
  createStrategy(ctx: StrategyContext): Strategy;
}

/** The uniform glue between the demo and one strategy package. */
export interface PlatformWiring {
  name: string;
  /** Human name, e.g. '杭电助手 HDU Helper'. */
  label: string;
  /** The variables of this platform (one block in `.env.example`). */
  env: EnvVarDoc[];
  /** The callback path(s) to register with the platform, for the README and the home page. */
  callbackPaths: string[];
  /**
   * The platform configured from the environment (called only when one of its variables is set).
   * Throws ConfigError (naming the variable) when it is half or wrongly configured.
   */
  fromEnv(env: Env): ConfiguredPlatform;
  /** Start this platform's emulator (port 0 = a free port) and configure the platform against it. */
  startEmbedded(options: { port: number; host?: string; appOrigin: string }): Promise<{
    platform: ConfiguredPlatform;
    emulator: Emulator;
  }>;
}
