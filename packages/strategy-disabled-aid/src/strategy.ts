/**
 * DisabledAidStrategy: sign in users who open the app from the Hangzhou disabled-aid digital
 * platform (智慧助残数字化平台). The platform appends `stoken` to the app's link; the app resolves it
 * server-side into the user, optionally with roles and permissions, and sets its own login.
 */
import {
  CampusAuthError,
  CampusStrategy,
  readParam,
  type CampusRequest,
  type CampusStrategyOptions,
  type FlowOutcome,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '@campus-passport/core';
import { DisabledAidClient, checkClientOptions, type DisabledAidEndpoints, type DisabledAidSigner } from './client';
import { PLATFORM, stripStoken, toProfile, type DisabledAidProfile, type DisabledAidSide } from './profile';

/** What verify receives as `credentials`. */
export interface DisabledAidCredentials {
  /** The platform session code from the link (lives as long as the platform session). */
  stoken: string;
}

export interface DisabledAidStrategyOptions extends CampusStrategyOptions {
  /** The platform prefix, e.g. https://host/disable-mis-bidp. Required. */
  baseURL: string;
  /** Which of the three user endpoints the app uses. Default 'governance'. */
  side?: DisabledAidSide;
  /** The app id (aid) from the open platform; required with fetchRoles / fetchPermissions. */
  appId?: string;
  /** Also fetch the user's roles (POST roleset). */
  fetchRoles?: boolean;
  /** Also fetch the user's permissions (POST permits) and build the menu tree. */
  fetchPermissions?: boolean;
  /** Sign every platform call (headers / parameters). Default: no-op. */
  signRequest?: DisabledAidSigner;
  /** Where to send a visitor who arrives without a stoken (the platform portal). Default: fail 401. */
  portalURL?: string;
  /** The query / body parameter that carries the stoken. Default 'stoken'. */
  tokenParam?: string;
  /** Override endpoint paths under baseURL. */
  endpoints?: Partial<DisabledAidEndpoints>;
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
    checkClientOptions(options);
    const need = (ok: boolean, message: string) => {
      if (!ok) throw new CampusAuthError('ERR_CONFIG', `${PLATFORM}: ${message}`, { platform: PLATFORM });
    };
    need(options.fetchRoles === undefined || typeof options.fetchRoles === 'boolean', 'option "fetchRoles" must be a boolean');
    need(
      options.fetchPermissions === undefined || typeof options.fetchPermissions === 'boolean',
      'option "fetchPermissions" must be a boolean',
    );
    need(
      !(options.fetchRoles || options.fetchPermissions) || !!options.appId,
      'option "appId" is required with fetchRoles / fetchPermissions',
    );
    need(
      options.portalURL === undefined || (typeof options.portalURL === 'string' && options.portalURL !== ''),
      'option "portalURL" must be a URL',
    );
    need(
      options.tokenParam === undefined || (typeof options.tokenParam === 'string' && PARAM_NAME.test(options.tokenParam)),
      'option "tokenParam" must be a parameter name',
    );

    this.side = options.side ?? 'governance';
    this.fetchRoles = options.fetchRoles === true;
    this.fetchPermissions = options.fetchPermissions === true;
    this.portalURL = options.portalURL;
    this.tokenParam = options.tokenParam ?? 'stoken';
    this.client = new DisabledAidClient({
      baseURL: options.baseURL,
      side: this.side,
      appId: options.appId,
      signRequest: options.signRequest,
      endpoints: options.endpoints,
      timeout: this.timeout,
      transport: this.transport,
    });
  }

  /** This URL without the stoken (and this strategy's tokenParam): redirect there after login. */
  cleanURL(url: string): string {
    return stripStoken(url, this.tokenParam);
  }

  protected async flow(req: CampusRequest): Promise<FlowOutcome<DisabledAidCredentials, DisabledAidProfile>> {
    // 1. the platform appended the stoken to our link (query, or body when the app posts it on)
    const stoken = readParam(req, this.tokenParam, { platform: PLATFORM, label: 'stoken' });

    // 2. none: back to the platform portal, or a clean 401
    if (!stoken) {
      if (this.portalURL) return { kind: 'redirect', url: this.portalURL };
      throw new CampusAuthError('ERR_NO_CREDENTIAL', 'open this app from the disabled-aid platform (no stoken)', {
        platform: PLATFORM,
      });
    }

    // 3. the side's endpoint resolves it into the user (success:false → fail ERR_INVALID_CREDENTIAL)
    const answer = await this.client.userByToken(stoken);
    const { useruuid, areacode } = answer.user;

    // 4. roles and permissions of this user in this app, in parallel
    const [roles, permissions] = await Promise.all([
      this.fetchRoles ? this.client.roles(useruuid, areacode ?? '') : undefined,
      this.fetchPermissions ? this.client.permits(useruuid, areacode ?? '') : undefined,
    ]);

    // 5. the profile (with the menu tree when permissions were fetched) goes to verify
    const profile = toProfile({ side: this.side, user: answer.user, json: answer.body, raw: answer.raw, roles, permissions });
    return { kind: 'login', credentials: { stoken }, profile };
  }
}
