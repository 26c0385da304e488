import type { IncomingMessage } from 'node:http';
import type { Request as ExpressRequest } from 'express';
import { Strategy as PassportStrategy } from 'passport-strategy';
import { OptionChecks } from './client';
import { CampusAuthError, isCampusAuthError, type CampusErrorCode } from './errors';
import { DEFAULT_TIMEOUT, defaultTransport, type Transport } from './transport';
import type { StateRequest } from './state';
import { FlowContext } from './context';
import { redactError } from './errors';
import { Deadline } from './deadline';

/** The request a strategy sees: Node's request plus what Express and express-session add. */
export interface CampusRequest extends IncomingMessage, StateRequest {
  query?: Record<string, unknown>;
  body?: unknown;
  /** Express' resolved protocol (honours `trust proxy`). */
  protocol?: string;
  /** Express' app, when present (for `trust proxy`). */
  app?: { get?(name: string): unknown };
}

/** The normalized profile every strategy produces. Platform packages extend it with typed fields. */
export interface CampusProfile<J = unknown> {
  provider: string;
  /** The platform's stable account id, as a string. */
  id: string;
  displayName: string;
  /** The platform's data as parsed. */
  _json: J;
  /** The platform's data as received. */
  _raw: string;
}

/** What a fail carries (Passport's `info`). */
export interface CampusFailInfo {
  message: string;
  code: CampusErrorCode | string;
  [k: string]: unknown;
}

export type VerifyDone<U> = (err: unknown, user?: U | false | null, info?: unknown) => void;
export type VerifyResult<U> = U | false | null | undefined | Promise<U | false | null | undefined>;

/** `verify(credentials, profile, done)`, or return a Promise of the user (or false). */
export type VerifyFunction<C, P, U = unknown> = (credentials: C, profile: P, done: VerifyDone<U>) => VerifyResult<U> | void;
/**
 * The request as the app sees it in `verify(req, …)` and in request-reading options: Express'
 * request (the app's own @types/express, 4 or 5), with whatever the app added to it.
 */
export type AppRequest = ExpressRequest;

/** With `passReqToCallback: true`: `verify(req, credentials, profile, done)`; `req` is the app's Express request. */
export type VerifyFunctionWithRequest<C, P, U = unknown, R = AppRequest> = (
  req: R,
  credentials: C,
  profile: P,
  done: VerifyDone<U>,
) => VerifyResult<U> | void;

/** Options every strategy accepts. */
export interface CampusStrategyOptions {
  /** Passport name; defaults to the platform name. */
  name?: string;
  /** Per platform call, ms. Default 10 000. */
  timeout?: number;
  /**
   * The whole callback — every platform call, retries and token-store waits, not verify — ms.
   * Default twice `timeout`. Past it the login ends with ERR_TIMEOUT.
   */
  loginTimeout?: number;
  /** Pass the request to verify as the first argument. */
  passReqToCallback?: boolean;
  /** A custom transport (e.g. `axiosTransport(axios.create({...}))`). */
  transport?: Transport;
}

/** What a strategy's flow decides; the base turns it into exactly one Passport action. */
export type FlowOutcome<C, P> =
  { kind: 'redirect'; url: string; status?: number } | { kind: 'login'; credentials: C; profile: P };

/** Passport's authenticate() options, as far as these strategies read them. */
export interface CampusAuthenticateOptions {
  callbackURL?: string;
  state?: unknown;
  scope?: string | string[];
  [k: string]: unknown;
}

/**
 * The base of every campus strategy: runs the flow, calls verify in either style, turns every
 * result into exactly one of success / fail / redirect / error.
 */
export abstract class CampusStrategy<C, P extends CampusProfile, U = unknown> extends PassportStrategy {
  name: string;
  readonly platform: string;
  protected readonly transport: Transport;
  protected readonly timeout: number;
  /** The overall deadline of one callback, ms. */
  protected readonly loginTimeout: number;
  private readonly verifyFn: VerifyFunction<C, P, U> | VerifyFunctionWithRequest<C, P, U>;
  private readonly passReq: boolean;

  protected constructor(
    platform: string,
    options: CampusStrategyOptions,
    verify: VerifyFunction<C, P, U> | VerifyFunctionWithRequest<C, P, U>,
  ) {
    super();
    const check = new OptionChecks(platform);
    check.object(options);
    if (typeof verify !== 'function') throw check.fail('verify must be a function (credentials, profile, done)');
    this.platform = platform;
    this.name = check.optString(options.name, 'name') ?? platform;
    this.timeout = check.ms(options.timeout, 'timeout', DEFAULT_TIMEOUT);
    this.loginTimeout = check.ms(options.loginTimeout, 'loginTimeout', 2 * this.timeout);
    this.transport = check.optFunction(options.transport, 'transport') ?? defaultTransport;
    this.passReq = options.passReqToCallback === true;
    this.verifyFn = verify;
  }

  /**
   * The platform flow: return a redirect or a login; throw CampusAuthError for everything else.
   * Make every platform call in `login` — through `this.client.within(login)`, or with `context:
   * login` on a transport request — so the login's deadline bounds it and the login's credentials
   * are redacted from the error it ends with.
   */
  protected abstract flow(req: CampusRequest, options: CampusAuthenticateOptions, login: FlowContext): Promise<FlowOutcome<C, P>>;

  override authenticate(req: CampusRequest, options?: CampusAuthenticateOptions): void {
    // Passport gives each request its own copy of the strategy with the action methods attached
    new Login<C, P, U>(this, req, new FlowContext(Date.now() + this.loginTimeout), this.loginTimeout).start(options ?? {});
  }

  /** Call verify in callback or Promise style (never chosen by verify.length). */
  private callVerify(
    req: CampusRequest,
    credentials: C,
    profile: P,
    then: (err: unknown, user?: U | false | null, info?: unknown) => void,
  ): void {
    runVerify(this.verifyFn, this.passReq, req, credentials, profile, then);
  }
}

/**
 * One login: the flow in its context, then verify, then exactly one Passport action. The overall
 * deadline (`loginTimeout`) also ends a flow stuck outside the transport (a custom transport, a
 * store): one deadline (no Node timer of its own, see deadline.ts); whichever comes first — the
 * flow or the deadline — decides, the other is ignored. One object per login, its steps methods
 * (no closure per step).
 */
class Login<C, P extends CampusProfile, U> extends Deadline {
  private acted = false;
  private late = false;

  constructor(
    /** Passport's per-request copy of the strategy (it carries success / fail / error / redirect). */
    private readonly strategy: CampusStrategy<C, P, U>,
    private readonly req: CampusRequest,
    private readonly context: FlowContext,
    private readonly loginTimeout: number,
  ) {
    super();
  }

  start(options: CampusAuthenticateOptions): void {
    let running: Promise<FlowOutcome<C, P>>;
    try {
      // (Login is this module's own: it may call the strategy's protected steps)
      running = this.strategy['flow'](this.req, options, this.context);
    } catch (err) {
      this.settle(err);
      return;
    }
    this.arm(this.loginTimeout);
    running
      .then(
        (outcome) => this.outcome(outcome),
        (err: unknown) => this.flowFailed(err),
      )
      // a throw out of an action (once one was taken) ends here, as it always did
      .catch((err: unknown) => this.settle(err));
  }

  /** The overall deadline fell due before the flow ended. */
  protected expire(): void {
    this.late = true;
    const { platform } = this.strategy;
    this.settle(
      new CampusAuthError('ERR_TIMEOUT', `${platform}: the login did not finish within ${this.loginTimeout} ms`, { platform }),
    );
  }

  private flowFailed(err: unknown): void {
    this.disarm();
    if (!this.late) this.settle(err);
  }

  /** The flow's outcome: a redirect, or verify and then success / fail / verify's own error. */
  private outcome(outcome: FlowOutcome<C, P>): void {
    this.disarm();
    if (this.late) return;
    if (outcome.kind === 'redirect') {
      if (this.begin()) this.strategy.redirect(outcome.url, outcome.status);
      return;
    }
    this.strategy['callVerify'](this.req, outcome.credentials, outcome.profile, (err, user, info) => {
      try {
        if (err) {
          // verify's own error is the app's: pass it through untouched
          if (this.begin()) this.strategy.error(err instanceof Error ? err : new Error(String(err)));
        } else this.verified(user, info);
      } catch (thrown) {
        // a throw out of an action (once one was taken) ends here, as it always did
        this.settle(thrown);
      }
    });
  }

  private verified(user: U | false | null | undefined, info: unknown): void {
    if (!this.begin()) return;
    if (user) this.strategy.success(user as Express.User, info as object | undefined);
    else this.strategy.fail((info ?? { message: 'verify did not accept this user', code: 'ERR_DENIED' }) as never, 401);
  }

  /** A flow's error: a user's problem is a fail (with its stable reason), anything else an error. */
  private settle(err: unknown): void {
    if (!this.begin()) return; // the login is answered: nothing more to report
    if (!isCampusAuthError(err)) return this.strategy.error(err instanceof Error ? err : new Error(String(err)));
    // the error the login ends with, wherever in the flow it was built, leaves with every credential
    // of the login redacted (the transport's errors already are; this covers the strategy's own)
    redactError(err, this.context.secrets());
    if (err.isUserError) {
      const info: CampusFailInfo = { message: err.message, code: err.code };
      // the refusal's stable reason ('declined', 'not-certified', 'expired', …), for apps to branch on
      const reason = err.details?.reason;
      if (typeof reason === 'string') info.reason = reason;
      this.strategy.fail(info, err.status);
    } else this.strategy.error(err);
  }

  /**
   * Whether this is the login's one action: the first call says yes and ends the flow's context
   * (a flow still running, past its deadline, starts no further call); every later call, no.
   */
  private begin(): boolean {
    if (this.acted) return false;
    this.acted = true;
    this.context.end();
    return true;
  }
}

/**
 * Call a strategy's verify in callback or Promise style (never chosen by verify.length), with the
 * request first when `passReq`. Resolves once with the user and info (the first of `done` and the
 * returned Promise wins; a plain returned value counts like a resolved Promise); rejects with
 * verify's own error. Exported for strategies that cannot extend CampusStrategy (passport-oauth2).
 */
export function invokeVerify<C, P, U>(
  verify: VerifyFunction<C, P, U> | VerifyFunctionWithRequest<C, P, U>,
  passReq: boolean,
  req: CampusRequest,
  credentials: C,
  profile: P,
): Promise<{ user: U | false | null | undefined; info?: unknown }> {
  return new Promise((resolve, reject) =>
    runVerify(verify, passReq, req, credentials, profile, (err, user, info) => (err ? reject(err) : resolve({ user, info }))),
  );
}

/**
 * invokeVerify with a callback (no Promise of its own): `done` is called exactly once — with
 * verify's error, or with the user and info. How a login calls verify.
 */
function runVerify<C, P, U>(
  verify: VerifyFunction<C, P, U> | VerifyFunctionWithRequest<C, P, U>,
  passReq: boolean,
  req: CampusRequest,
  credentials: C,
  profile: P,
  then: (err: unknown, user?: U | false | null, info?: unknown) => void,
): void {
  let settled = false;
  const done: VerifyDone<U> = (err, user, info) => {
    if (settled) return;
    settled = true;
    then(err, user, info);
  };
  let ret: unknown;
  try {
    ret = passReq
      ? (verify as VerifyFunctionWithRequest<C, P, U, CampusRequest>)(req, credentials, profile, done)
      : (verify as VerifyFunction<C, P, U>)(credentials, profile, done);
  } catch (err) {
    done(err ?? new Error('verify threw'));
    return;
  }
  if (ret && typeof (ret as PromiseLike<unknown>).then === 'function') {
    (ret as PromiseLike<U | false | null | undefined>).then(
      (user) => done(null, user),
      (err: unknown) => done(err ?? new Error('verify rejected')),
    );
  } else if (ret !== undefined) {
    // a plain returned value (sync verify) counts like a resolved Promise
    done(null, ret as U | false | null);
  }
}
