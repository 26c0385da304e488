/**
 * DisabledAidClient: the platform's HTTP API (智慧助残数字化平台), usable without Passport. The client
 * base validates `baseURL` (required: the production prefix is given out separately), `timeout`,
 * `transport` and the clock, and maps 429 / 5xx; this file keeps only what is the platform's own:
 * every call is first passed to `signRequest` (the signing chapter is not public), the envelope is
 * `{ meta, success, message, data }`, and `success: false` blames the stoken on the user call and
 * the app on every other call.
 */
import { isCampusAuthError, type HttpMethod } from '@campus-passport/core';
import { OptionChecks, PlatformClient, isObject, type JsonObject, type PlatformClientOptions } from '@campus-passport/core/kit';
import {
  PLATFORM,
  SIDES,
  metaCode,
  parseEnvelope,
  parsePermissions,
  parseRoles,
  parseUser,
  type DisabledAidEnvelope,
  type DisabledAidPermission,
  type DisabledAidRole,
  type DisabledAidSide,
  type DisabledAidUser,
} from './profile';

/** No stoken: the wording every strategy uses for a missing credential. */
export const NO_STOKEN = `${PLATFORM}: the request carries no stoken; open this app from the disabled-aid platform again`;

/** The seed's test-environment path prefix (§前缀: `https://xxx.xxx/disable-mis-bidp`). */
export const TEST_PREFIX = '/disable-mis-bidp';

/** The paths under baseURL (keep them configurable: schools were handed different documents). */
export interface DisabledAidEndpoints {
  /** 治理端 user by token. */
  governance: string;
  /** 服务端 user by token. */
  service: string;
  /** 协同端 user by token. */
  collaboration: string;
  roleset: string;
  permits: string;
  authorz: string;
}

export const DEFAULT_ENDPOINTS: Readonly<DisabledAidEndpoints> = {
  governance: '/acis/udsa/userbytoken',
  service: '/acis/udsd/szzcbytoken',
  collaboration: '/acis/udsx/userbytoken',
  roleset: '/acis/udsa/roleset',
  permits: '/acis/udsa/permits',
  authorz: '/acis/udsa/authorz',
};

/** What `signRequest` sees of every platform call, and returns (possibly with more headers/params). */
export interface DisabledAidSignableRequest {
  method: HttpMethod;
  /** The full URL; add query parameters here if the signature goes in the query. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The form body (user, roleset, permits); the transport encodes it with URLSearchParams. */
  form?: Record<string, string>;
  /** The JSON body (authorz); the transport encodes it with JSON.stringify. */
  json?: JsonObject;
}

/** Signs a platform call: return the request with the headers / parameters the platform wants. */
export type DisabledAidSigner = (
  req: DisabledAidSignableRequest,
) => DisabledAidSignableRequest | Promise<DisabledAidSignableRequest>;

export interface DisabledAidClientOptions extends PlatformClientOptions {
  /** The platform prefix, e.g. https://host/disable-mis-bidp (test). Required: production is given separately. */
  baseURL: string;
  /** Which user endpoint to use. Default 'governance'. */
  side?: DisabledAidSide;
  /** The app id (aid / appid) from the open platform; needed by roles, permits, authorize. */
  appID?: string;
  /** @deprecated the old spelling of `appID`; still accepted. */
  appId?: string;
  /** Sign every call. Default: no-op. */
  signRequest?: DisabledAidSigner;
  endpoints?: Partial<DisabledAidEndpoints>;
}

/** The user-by-token answer. */
export interface DisabledAidUserAnswer {
  user: DisabledAidUser;
  /** The whole answer as parsed: `{ meta, success, message, data }`. */
  body: JsonObject;
  /** The answer text as received. */
  raw: string;
}

export type DisabledAidAgent = 'PURI' | 'MURI' | 'TURI';
export const AGENTS: readonly DisabledAidAgent[] = ['PURI', 'MURI', 'TURI'];

export interface DisabledAidAuthorizeParams {
  /** PURI 电脑端 / MURI 手机端 / TURI 大屏端. */
  agent: DisabledAidAgent;
  useruuid: string;
  /** Parameters the target app needs (sobject, servFrom…). */
  parameters?: Record<string, unknown>;
  /** Default: the client's appID. */
  appid?: string;
}

/** `appID`, or its deprecated spelling `appId` (when both are given they must agree). */
function appIDOption(check: OptionChecks, o: { appID?: unknown; appId?: unknown }): string | undefined {
  const option = o.appID !== undefined ? 'appID' : 'appId';
  const value = check.optString(o.appID, 'appID') ?? check.optString(o.appId, 'appId');
  if (o.appID !== undefined && o.appId !== undefined && o.appID !== o.appId)
    throw check.fail('options "appID" and "appId" (its deprecated spelling) differ: set only "appID"');
  if (value?.trim() === '') throw check.fail(`option "${option}" must be a non-empty string`);
  return value;
}

export class DisabledAidClient extends PlatformClient {
  readonly side: DisabledAidSide;
  readonly appID?: string;
  readonly endpoints: Readonly<DisabledAidEndpoints>;
  private readonly signRequest?: DisabledAidSigner;

  constructor(options: DisabledAidClientOptions) {
    super(PLATFORM, options);
    this.side = this.check.oneOf(options.side, 'side', SIDES, 'governance');
    this.appID = appIDOption(this.check, options);
    this.signRequest = this.check.optFunction(options.signRequest, 'signRequest');
    if (options.endpoints !== undefined) {
      this.check.object(options.endpoints, 'option "endpoints"');
      for (const [k, v] of Object.entries(options.endpoints))
        if (!(k in DEFAULT_ENDPOINTS) || typeof v !== 'string' || !v.startsWith('/'))
          throw this.check.fail(`option "endpoints.${k}" must be a known endpoint and a path starting with "/"`);
    }
    this.endpoints = { ...DEFAULT_ENDPOINTS, ...options.endpoints };
  }

  /** @deprecated the old name of `appID`. */
  get appId(): string | undefined {
    return this.appID;
  }

  /** Resolve the stoken the platform appended to the app's link into the user (this side's endpoint). */
  async userByToken(stoken: string): Promise<DisabledAidUserAnswer> {
    if (typeof stoken !== 'string' || stoken === '') throw this.error('ERR_NO_CREDENTIAL', NO_STOKEN);
    const { envelope, body, raw } = await this.call('user', this.endpoints[this.side], { form: { stoken } }, [stoken]);
    if (!envelope.success) {
      // the wording every strategy uses for a refused credential, with the platform's own words
      // (they tell an ended session from a disabled user); its code stays in platformCode
      const said = envelope.message ? ` (${envelope.message.slice(0, 100)})` : '';
      throw this.error(
        'ERR_INVALID_CREDENTIAL',
        `${PLATFORM}: the stoken is invalid or expired${said}; open this app from the disabled-aid platform again`,
        { platformCode: metaCode(envelope.meta), platformMessage: envelope.message, secrets: [stoken] },
      );
    }
    return { user: parseUser(envelope.data), body, raw };
  }

  /**
   * Which of the two other sides' user endpoints resolves this stoken, if one does: a stoken this
   * client's side refuses may be a user of another side (unconfirmed: the seed only says the three
   * sides have their own endpoints). Both are asked at once; a refusal or a failed call counts as
   * "not that side", so this never throws for the platform's sake.
   */
  async otherSideOf(stoken: string): Promise<DisabledAidSide | undefined> {
    if (typeof stoken !== 'string' || stoken === '') throw this.error('ERR_NO_CREDENTIAL', NO_STOKEN);
    const others = SIDES.filter((side) => side !== this.side);
    const found = await Promise.all(
      others.map((side) =>
        this.call('user', this.endpoints[side], { form: { stoken } }, [stoken]).then(
          ({ envelope }) => (envelope.success && isObject(envelope.data) && envelope.data.useruuid ? side : undefined),
          () => undefined,
        ),
      ),
    );
    return found.find((side) => side !== undefined);
  }

  /** The user's roles in this app (`uid` = useruuid, `uac` = areacode of the user answer). */
  async roles(uid: string, uac: string): Promise<DisabledAidRole[]> {
    return parseRoles((await this.appCall('roleset', uid, uac)).data);
  }

  /** The user's permissions in this app (`uid` = useruuid, `uac` = areacode of the user answer). */
  async permits(uid: string, uac: string): Promise<DisabledAidPermission[]> {
    return parsePermissions((await this.appCall('permits', uid, uac)).data);
  }

  /** The third-party jump link (用户三方接入) for a user. */
  async authorize(params: DisabledAidAuthorizeParams): Promise<string> {
    if (!isObject(params)) throw this.check.fail('authorize() needs { agent, useruuid }');
    const appid = params.appid ?? this.appID;
    if (!appid) throw this.check.fail('authorize() needs an app id: set option "appID" or pass appid');
    if (!AGENTS.includes(params.agent)) throw this.check.fail(`authorize(): "agent" must be one of ${AGENTS.join(', ')}`);
    if (typeof params.useruuid !== 'string' || !params.useruuid)
      throw this.check.fail('authorize(): "useruuid" must be a non-empty string');
    const { envelope } = await this.call('authorz', this.endpoints.authorz, {
      json: { appid, agent: params.agent, useruuid: params.useruuid, parameters: params.parameters ?? {} },
    });
    this.refused('authorz', envelope);
    const d = envelope.data;
    const link =
      typeof d === 'string' ? d : isObject(d) ? [d.url, d.link, d.jumpUrl, d.href].find((v) => typeof v === 'string') : undefined;
    if (typeof link !== 'string' || link === '')
      throw this.error('ERR_BAD_RESPONSE', `${PLATFORM}: the authorz answer has no jump link in "data"`);
    return link;
  }

  private async appCall(what: 'roleset' | 'permits', uid: string, uac: string): Promise<DisabledAidEnvelope> {
    if (!this.appID) throw this.check.fail(`${what} needs option "appID"`);
    if (typeof uid !== 'string' || !uid) throw this.check.fail(`${what}: "uid" (the useruuid) must be a non-empty string`);
    const { envelope } = await this.call(what, this.endpoints[what], { form: { aid: this.appID, uid, uac: uac ?? '' } });
    this.refused(what, envelope);
    return envelope;
  }

  /** success:false outside the user call is the platform refusing the app, not the user. */
  private refused(what: string, envelope: DisabledAidEnvelope): void {
    if (envelope.success) return;
    throw this.error('ERR_PLATFORM', `${PLATFORM}: ${what} refused${envelope.message ? `: ${envelope.message}` : ''}`, {
      platformCode: metaCode(envelope.meta),
      platformMessage: envelope.message,
    });
  }

  /**
   * One signed platform call → the checked envelope: the status table (429 → ERR_RATE_LIMITED,
   * 5xx → ERR_PLATFORM, retryable), any other non-2xx → ERR_PLATFORM (e.g. 401 for a bad signature).
   */
  private async call(
    what: string,
    path: string,
    payload: { form?: Record<string, string>; json?: JsonObject },
    secrets: string[] = [],
  ): Promise<{ envelope: DisabledAidEnvelope; body: JsonObject; raw: string }> {
    let req: DisabledAidSignableRequest = { method: 'POST', url: this.url(path), headers: { accept: '*/*' }, ...payload };
    if (this.signRequest) req = await this.sign(this.signRequest, req);
    const { method, url, headers, form, json } = req;
    const res = await this.send({ method, url, headers, form, json, secrets });
    const said = isObject(res.body) ? res.body : {};
    const platformMessage = typeof said.message === 'string' ? said.message : undefined;
    const details = { upstreamStatus: res.status, platformCode: metaCode(said.meta), platformMessage, secrets };
    this.checkStatus(res, `the ${what} call`, details);
    if (res.status < 200 || res.status > 299)
      throw this.error(
        'ERR_PLATFORM',
        `${PLATFORM}: ${what} answered HTTP ${res.status}${platformMessage ? `: ${platformMessage}` : ''}`,
        { ...details, retryable: false },
      );
    const envelope = parseEnvelope(res.body, what, res.status);
    return { envelope, body: res.body as JsonObject, raw: res.text };
  }

  private async sign(signer: DisabledAidSigner, req: DisabledAidSignableRequest): Promise<DisabledAidSignableRequest> {
    let signed: unknown;
    try {
      signed = await signer({ ...req, headers: { ...req.headers }, form: req.form && { ...req.form } });
    } catch (err) {
      if (isCampusAuthError(err)) throw err;
      // the signer's own message and stack may hold its key or the stoken, which this client cannot
      // know to redact: keep only the error's class name as the cause
      const kind = err instanceof Error ? err.name : typeof err;
      throw this.error('ERR_CONFIG', `${PLATFORM}: signRequest failed (${kind})`, {
        cause: new Error(`signRequest threw ${kind}; its message is not kept (it may hold secrets)`),
      });
    }
    if (!isObject(signed) || typeof signed.url !== 'string' || !isObject(signed.headers))
      throw this.check.fail('signRequest must return the request ({ method, url, headers, form | json })');
    return signed as unknown as DisabledAidSignableRequest;
  }
}
