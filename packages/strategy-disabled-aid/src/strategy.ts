/**
 * DisabledAidStrategy — Passport face of the Hangzhou disabled-aid digital platform
 * (智慧助残数字化平台). The platform appends `stoken` to the app's link (seed §原理); there is no
 * redirect out and no state: the stoken is resolved server-side and the app sets its own login.
 *
 * 1. Read the stoken the platform appended (query, or body when the app posts it on).
 * 2. None: redirect to the platform portal (`portalURL`), or fail ERR_NO_CREDENTIAL.
 * 3. Resolve it at the side's user endpoint (success:false → fail ERR_INVALID_CREDENTIAL; a user
 *    of another side — that side's endpoint resolves the stoken — → fail ERR_DENIED 'wrong-side').
 * 4. With fetchRoles / fetchPermissions: the user's roles and permissions in this app, in parallel.
 * 5. The profile (with the menu tree when permissions were fetched) goes to verify.
 */
import {
  CampusAuthError,
  isCampusAuthError,
  type CampusRequest,
  type CampusStrategyOptions,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import {
  CampusStrategy,
  OptionChecks,
  readParam,
  type CampusAuthenticateOptions,
  type FlowContext,
  type FlowOutcome,
} from '@campus-passport/core/kit';
import { DisabledAidClient, NO_STOKEN, type DisabledAidClientOptions, type DisabledAidUserAnswer } from './client';
import { PLATFORM, stripStoken, toProfile, type DisabledAidProfile, type DisabledAidSide } from './profile';

/** What verify receives as `credentials`. */
export interface DisabledAidCredentials {
  /** The platform session code from the link (lives as long as the platform session). */
  stoken: string;
}

export interface DisabledAidStrategyOptions
  extends
    CampusStrategyOptions,
    Pick<DisabledAidClientOptions, 'baseURL' | 'side' | 'appID' | 'appId' | 'signRequest' | 'endpoints'> {
  /** Also fetch the user's roles (POST roleset). Needs `appID`. */
  fetchRoles?: boolean;
  /** Also fetch the user's permissions (POST permits) and build the menu tree. Needs `appID`. */
  fetchPermissions?: boolean;
  /** Where to send a visitor who arrives without a stoken (the platform portal). Default: fail 401. */
  portalURL?: string;
  /** The query / body parameter that carries the stoken. Default 'stoken'. */
  tokenParam?: string;
  /**
   * When this side refuses the stoken, ask the two other sides' user endpoints whether it is one of
   * their users, to fail ERR_DENIED with reason 'wrong-side' instead of ERR_INVALID_CREDENTIAL.
   * Costs two calls per refused stoken. Default true.
   */
  detectWrongSide?: boolean;
}

export type DisabledAidVerify<U = unknown> =
  | VerifyFunction<DisabledAidCredentials, DisabledAidProfile, U>
  | VerifyFunctionWithRequest<DisabledAidCredentials, DisabledAidProfile, U>;

const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export class DisabledAidStrategy<U = unknown> extends CampusStrategy<DisabledAidCredentials, DisabledAidProfile, U> {
  readonly client: DisabledAidClient;
  readonly side: DisabledAidSide;
  private readonly fetchRoles: boolean;
  private readonly fetchPermissions: boolean;
  private readonly portalURL?: string;
  private readonly tokenParam: string;
  private readonly detectWrongSide: boolean;

  constructor(
    options: DisabledAidStrategyOptions & { passReqToCallback?: false },
    verify: VerifyFunction<DisabledAidCredentials, DisabledAidProfile, U>,
  );
  constructor(
    options: DisabledAidStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest<DisabledAidCredentials, DisabledAidProfile, U>,
  );
  constructor(options: DisabledAidStrategyOptions, verify: DisabledAidVerify<U>);
  constructor(options: DisabledAidStrategyOptions, verify: DisabledAidVerify<U>) {
    super(PLATFORM, options, verify);
    const { baseURL, side, appID, appId, signRequest, endpoints } = options;
    this.client = new DisabledAidClient({
      baseURL,
      side,
      appID,
      appId,
      signRequest,
      endpoints,
      timeout: this.timeout,
      transport: this.transport,
    });
    const check = new OptionChecks(PLATFORM);
    this.side = this.client.side;
    this.fetchRoles = check.optBoolean(options.fetchRoles, 'fetchRoles') === true;
    this.fetchPermissions = check.optBoolean(options.fetchPermissions, 'fetchPermissions') === true;
    if ((this.fetchRoles || this.fetchPermissions) && !this.client.appID)
      throw check.fail('option "appID" (or its deprecated spelling "appId") is required with fetchRoles / fetchPermissions');
    this.portalURL = check.optString(options.portalURL, 'portalURL');
    this.tokenParam = check.optString(options.tokenParam, 'tokenParam') ?? 'stoken';
    if (!PARAM_NAME.test(this.tokenParam)) throw check.fail('option "tokenParam" must be a parameter name');
    this.detectWrongSide = check.optBoolean(options.detectWrongSide, 'detectWrongSide') ?? false;
  }

  /** This URL without the stoken (and this strategy's tokenParam): redirect there after login. */
  cleanURL(url: string): string {
    return stripStoken(url, this.tokenParam);
  }

  protected async flow(
    req: CampusRequest,
    _options: CampusAuthenticateOptions,
    login: FlowContext,
  ): Promise<FlowOutcome<DisabledAidCredentials, DisabledAidProfile>> {
    // 1. the stoken the platform appended to our link
    const stoken = readParam(req, this.tokenParam, { platform: PLATFORM, label: 'stoken' });

    // 2. none: back to the platform portal, or a clean 401
    if (!stoken) {
      if (this.portalURL) return { kind: 'redirect', url: this.portalURL };
      throw new CampusAuthError('ERR_NO_CREDENTIAL', NO_STOKEN, { platform: PLATFORM });
    }

    // 3. the side's endpoint resolves it into the user (every call of this login in its context)
    const client = this.client.within(login);
    const answer = await this.resolve(client, stoken);
    const { useruuid, areacode } = answer.user;

    // 4. roles and permissions of this user in this app, in parallel
    const [roles, permissions] = await Promise.all([
      this.fetchRoles ? client.roles(useruuid, areacode ?? '') : undefined,
      this.fetchPermissions ? client.permits(useruuid, areacode ?? '') : undefined,
    ]);

    // 5. the profile goes to verify
    const profile = toProfile({ side: this.side, user: answer.user, json: answer.body, raw: answer.raw, roles, permissions });
    return { kind: 'login', credentials: { stoken }, profile };
  }

  /** Step 3: the user behind the stoken; refused here but resolved by another side → 'wrong-side'. */
  private async resolve(client: DisabledAidClient, stoken: string): Promise<DisabledAidUserAnswer> {
    try {
      return await client.userByToken(stoken);
    } catch (err) {
      if (!this.detectWrongSide || !isCampusAuthError(err) || err.code !== 'ERR_INVALID_CREDENTIAL') throw err;
      const other = await client.otherSideOf(stoken);
      if (!other) throw err;
      throw new CampusAuthError(
        'ERR_DENIED',
        `${PLATFORM}: this account is a ${SIDE_LABELS[other]} (${other}) user and this app serves ${SIDE_LABELS[this.side]} ` +
          `(${this.side}) users; open it with a ${SIDE_LABELS[this.side]} account`,
        { platform: PLATFORM, details: { reason: 'wrong-side', side: other } },
      );
    }
  }
}

/** The platform's names of its three sides (seed §1). */
const SIDE_LABELS: Readonly<Record<DisabledAidSide, string>> = {
  governance: '治理端',
  service: '服务端',
  collaboration: '协同端',
};
