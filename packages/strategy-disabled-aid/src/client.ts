/**
 * DisabledAidClient: the platform's HTTP API (智慧助残数字化平台), usable without Passport.
 * Every call goes through `signRequest` (the platform's signing chapter is not public) and then
 * through the transport, with the timeout and platform name set.
 */
import {
  CampusAuthError,
  DEFAULT_TIMEOUT,
  isCampusAuthError,
  isObject,
  request as defaultTransport,
  type HttpMethod,
  type JsonObject,
  type Transport,
} from '@campus-passport/core';
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

export interface DisabledAidClientOptions {
  /** The platform prefix, e.g. https://host/disable-mis-bidp (test) — production is given separately. */
  baseURL: string;
  /** Which user endpoint to use. Default 'governance'. */
  side?: DisabledAidSide;
  /** The app id (aid / appid) from the open platform; needed by roles, permits, authorize. */
  appId?: string;
  /** Sign every call. Default: no-op. */
  signRequest?: DisabledAidSigner;
  /** Per call, ms. Default 10 000. */
  timeout?: number;
  transport?: Transport;
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
  /** Default: the client's appId. */
  appid?: string;
}

function config(message: string): CampusAuthError {
  return new CampusAuthError('ERR_CONFIG', `${PLATFORM}: ${message}`, { platform: PLATFORM });
}

/** Validate the client options (shared with the strategy); throws ERR_CONFIG naming the option. */
export function checkClientOptions(o: DisabledAidClientOptions): void {
  if (typeof o.baseURL !== 'string' || !/^https?:\/\/[^/]+/i.test(o.baseURL))
    throw config('option "baseURL" must be an http(s) URL');
  try {
    new URL(o.baseURL);
  } catch {
    throw config('option "baseURL" must be an http(s) URL');
  }
  if (o.side !== undefined && !SIDES.includes(o.side)) throw config(`option "side" must be one of ${SIDES.join(', ')}`);
  if (o.appId !== undefined && (typeof o.appId !== 'string' || o.appId.trim() === ''))
    throw config('option "appId" must be a non-empty string');
  if (o.signRequest !== undefined && typeof o.signRequest !== 'function') throw config('option "signRequest" must be a function');
  if (o.timeout !== undefined && !(Number.isFinite(o.timeout) && o.timeout > 0))
    throw config('option "timeout" must be a positive number of ms');
  if (o.transport !== undefined && typeof o.transport !== 'function') throw config('option "transport" must be a function');
  if (o.endpoints !== undefined) {
    if (!isObject(o.endpoints)) throw config('option "endpoints" must be an object');
    for (const [k, v] of Object.entries(o.endpoints))
      if (!(k in DEFAULT_ENDPOINTS) || typeof v !== 'string' || !v.startsWith('/'))
        throw config(`option "endpoints.${k}" must be a known endpoint and a path starting with "/"`);
  }
}

export class DisabledAidClient {
  readonly baseURL: string;
  readonly side: DisabledAidSide;
  readonly appId?: string;
  readonly endpoints: Readonly<DisabledAidEndpoints>;
  private readonly signRequest?: DisabledAidSigner;
  private readonly timeout: number;
  private readonly transport: Transport;

  constructor(options: DisabledAidClientOptions) {
    if (!isObject(options)) throw config('options must be an object');
    checkClientOptions(options);
    this.baseURL = options.baseURL.replace(/\/+$/, '');
    this.side = options.side ?? 'governance';
    this.appId = options.appId;
    this.endpoints = { ...DEFAULT_ENDPOINTS, ...options.endpoints };
    this.signRequest = options.signRequest;
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.transport = options.transport ?? defaultTransport;
  }

  /** Resolve the stoken the platform appended to the app's link into the user (this side's endpoint). */
  async userByToken(stoken: string): Promise<DisabledAidUserAnswer> {
    if (typeof stoken !== 'string' || stoken === '')
      throw new CampusAuthError('ERR_NO_CREDENTIAL', `${PLATFORM}: no stoken`, { platform: PLATFORM });
    const { envelope, body, raw } = await this.call('user', this.endpoints[this.side], { form: { stoken } }, [stoken]);
    if (!envelope.success)
      throw new CampusAuthError('ERR_INVALID_CREDENTIAL', envelope.message || `${PLATFORM}: the stoken is invalid or expired`, {
        platform: PLATFORM,
        platformCode: metaCode(envelope.meta),
        platformMessage: envelope.message,
        secrets: [stoken],
      });
    return { user: parseUser(envelope.data), body, raw };
  }

  /** The user's roles in this app (`uid` = useruuid, `uac` = areacode of the user answer). */
  async roles(uid: string, uac: string): Promise<DisabledAidRole[]> {
    const envelope = await this.appCall('roleset', uid, uac);
    return parseRoles(envelope.data);
  }

  /** The user's permissions in this app (`uid` = useruuid, `uac` = areacode of the user answer). */
  async permits(uid: string, uac: string): Promise<DisabledAidPermission[]> {
    const envelope = await this.appCall('permits', uid, uac);
    return parsePermissions(envelope.data);
  }

  /** The third-party jump link (用户三方接入) for a user. */
  async authorize(params: DisabledAidAuthorizeParams): Promise<string> {
    if (!isObject(params)) throw config('authorize() needs { agent, useruuid }');
    const appid = params.appid ?? this.appId;
    if (!appid) throw config('authorize() needs an app id: set option "appId" or pass appid');
    if (!AGENTS.includes(params.agent)) throw config(`authorize(): "agent" must be one of ${AGENTS.join(', ')}`);
    if (typeof params.useruuid !== 'string' || !params.useruuid)
      throw config('authorize(): "useruuid" must be a non-empty string');
    const { envelope } = await this.call('authorz', this.endpoints.authorz, {
      json: { appid, agent: params.agent, useruuid: params.useruuid, parameters: params.parameters ?? {} },
    });
    this.refused('authorz', envelope);
    const d = envelope.data;
    const link =
      typeof d === 'string' ? d : isObject(d) ? [d.url, d.link, d.jumpUrl, d.href].find((v) => typeof v === 'string') : undefined;
    if (typeof link !== 'string' || link === '')
      throw new CampusAuthError('ERR_BAD_RESPONSE', `${PLATFORM}: the authorz answer has no jump link in "data"`, {
        platform: PLATFORM,
      });
    return link;
  }

  private async appCall(what: 'roleset' | 'permits', uid: string, uac: string): Promise<DisabledAidEnvelope> {
    if (!this.appId) throw config(`${what} needs option "appId"`);
    if (typeof uid !== 'string' || !uid) throw config(`${what}: "uid" (the useruuid) must be a non-empty string`);
    const { envelope } = await this.call(what, this.endpoints[what], { form: { aid: this.appId, uid, uac: uac ?? '' } });
    this.refused(what, envelope);
    return envelope;
  }

  /** success:false outside the user call is the platform refusing the app, not the user. */
  private refused(what: string, envelope: DisabledAidEnvelope): void {
    if (envelope.success) return;
    throw new CampusAuthError('ERR_PLATFORM', `${PLATFORM}: ${what} refused${envelope.message ? `: ${envelope.message}` : ''}`, {
      platform: PLATFORM,
      platformCode: metaCode(envelope.meta),
      platformMessage: envelope.message,
    });
  }

  /** One signed platform call → the checked envelope. Non-2xx → ERR_PLATFORM. */
  private async call(
    what: string,
    path: string,
    payload: { form?: Record<string, string>; json?: JsonObject },
    secrets: string[] = [],
  ): Promise<{ envelope: DisabledAidEnvelope; body: JsonObject; raw: string }> {
    let req: DisabledAidSignableRequest = {
      method: 'POST',
      url: `${this.baseURL}${path}`,
      headers: { accept: '*/*' },
      ...payload,
    };
    if (this.signRequest) req = await this.sign(req);
    const res = await this.transport({
      method: req.method,
      url: req.url,
      headers: req.headers,
      form: req.form,
      json: req.json,
      timeout: this.timeout,
      platform: PLATFORM,
      secrets,
    });
    if (res.status < 200 || res.status > 299) {
      const b = isObject(res.body) ? res.body : {};
      const message = typeof b.message === 'string' ? b.message : undefined;
      throw new CampusAuthError(
        'ERR_PLATFORM',
        `${PLATFORM}: ${what} answered HTTP ${res.status}${message ? `: ${message}` : ''}`,
        {
          platform: PLATFORM,
          upstreamStatus: res.status,
          platformCode: metaCode(b.meta),
          platformMessage: message,
          retryable: res.status >= 500 || res.status === 429,
          secrets,
        },
      );
    }
    const envelope = parseEnvelope(res.body, what, res.status);
    return { envelope, body: res.body as JsonObject, raw: res.text };
  }

  private async sign(req: DisabledAidSignableRequest): Promise<DisabledAidSignableRequest> {
    let signed: unknown;
    try {
      signed = await this.signRequest!({ ...req, headers: { ...req.headers }, form: req.form && { ...req.form } });
    } catch (err) {
      if (isCampusAuthError(err)) throw err;
      // the signer's own message and stack may hold its key or the stoken, which this client cannot
      // know to redact: keep only the error's class name as the cause
      const kind = err instanceof Error ? err.name : typeof err;
      throw new CampusAuthError('ERR_CONFIG', `${PLATFORM}: signRequest failed (${kind})`, {
        platform: PLATFORM,
        cause: new Error(`signRequest threw ${kind}; its message is not kept (it may hold secrets)`),
      });
    }
    if (!isObject(signed) || typeof signed.url !== 'string' || !isObject(signed.headers))
      throw config('signRequest must return the request ({ method, url, headers, form | json })');
    return signed as unknown as DisabledAidSignableRequest;
  }
}
