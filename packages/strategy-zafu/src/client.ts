import {
  AppTokenManager,
  processTokenStore,
  CampusAuthError,
  DEFAULT_TIMEOUT,
  isObject,
  optString,
  request as defaultTransport,
  type AppToken,
  type JsonObject,
  type QueryValue,
  type TokenStore,
  type Transport,
  type TransportResponse,
} from '@campus-passport/core';
import { encryptIdCard, type ZafuAesOptions } from './crypto';
import {
  checkEnvelope,
  checkStatusEnvelope,
  expectArray,
  parseAppToken,
  parseProfile,
  parseUserTokens,
  type ZafuCredentials,
  type ZafuProfile,
  type ZafuProfileFields,
  type ZafuStatusResult,
} from './profile';

const P = 'zafu';

/** The platform's origin. */
export const ZAFU_BASE_URL = 'https://open.zafu.edu.cn';

/**
 * Website-login endpoints. UNCONFIRMED: ZAFU's "website access" document is not public; these are
 * guesses in the platform's Spring Security OAuth2 style. Check them with the platform and override.
 */
export const ZAFU_AUTHORIZATION_URL = `${ZAFU_BASE_URL}/oauth/authorize`;
/** UNCONFIRMED (see {@link ZAFU_AUTHORIZATION_URL}). The client-credentials token URL is documented. */
export const ZAFU_TOKEN_URL = `${ZAFU_BASE_URL}/oauth/token`;
/** UNCONFIRMED (see {@link ZAFU_AUTHORIZATION_URL}). */
export const ZAFU_USERINFO_URL = `${ZAFU_BASE_URL}/oauth/userinfo`;

/** A non-200 answer → ERR_PLATFORM; `secrets` are scrubbed from whatever the platform echoed back. */
function platformRefusal(res: TransportResponse, what: string, secrets: string[]): CampusAuthError {
  const body: JsonObject = isObject(res.body) ? res.body : {};
  const error = optString(body, 'error');
  const description = optString(body, 'error_description') ?? optString(body, 'content') ?? optString(body, 'message');
  return new CampusAuthError('ERR_PLATFORM', `zafu refused ${what} (HTTP ${res.status}${error ? `, ${error}` : ''})`, {
    platform: P,
    upstreamStatus: res.status,
    platformCode: error,
    platformMessage: description,
    retryable: res.status >= 500 || res.status === 429,
    secrets,
  });
}

// ───────────────────────────── website login (authorization code) ─────────────────────────────

export interface ZafuOAuthClientOptions {
  clientID: string;
  clientSecret: string;
  tokenURL: string;
  userInfoURL: string;
  /** How the client authenticates at the token endpoint. Default 'body'. */
  clientAuth?: 'body' | 'basic';
  /** How the user's access token goes to the user-info endpoint. Default 'header' (Bearer). */
  userInfoAuth?: 'header' | 'query';
  profileFields?: ZafuProfileFields;
  timeout?: number;
  transport?: Transport;
}

/** The token and user-info calls of the website login, through core's transport. */
export class ZafuOAuthClient {
  private readonly transport: Transport;
  private readonly timeout: number;

  constructor(private readonly opts: ZafuOAuthClientOptions) {
    this.transport = opts.transport ?? defaultTransport;
    this.timeout = opts.timeout ?? DEFAULT_TIMEOUT;
  }

  /** Exchange an authorization code (with the PKCE verifier when one was used) for the user's tokens. */
  async exchangeCode(input: { code: string; redirectUri?: string; codeVerifier?: string }): Promise<ZafuCredentials> {
    const { clientID, clientSecret } = this.opts;
    const form: Record<string, QueryValue> = {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    };
    const headers: Record<string, string> = {};
    if (this.opts.clientAuth === 'basic') {
      const basic = `${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    } else {
      form.client_id = clientID;
      form.client_secret = clientSecret;
    }
    const res = await this.transport({
      method: 'POST',
      url: this.opts.tokenURL,
      form,
      headers,
      timeout: this.timeout,
      platform: P,
      secrets: [clientSecret, input.code],
    });
    if (res.status === 200) return parseUserTokens(res.body);
    const error = isObject(res.body) ? optString(res.body, 'error') : undefined;
    if (error === 'invalid_grant')
      throw new CampusAuthError('ERR_INVALID_CREDENTIAL', 'the authorization code is invalid, expired or already used', {
        platform: P,
        upstreamStatus: res.status,
        platformCode: error,
      });
    if (error === 'invalid_client' || error === 'unauthorized_client')
      throw new CampusAuthError(
        'ERR_PLATFORM',
        `zafu refused the client (${error}): check clientID, clientSecret and clientAuth`,
        {
          platform: P,
          upstreamStatus: res.status,
          platformCode: error,
        },
      );
    throw platformRefusal(res, 'the authorization code exchange', [clientSecret, input.code]);
  }

  /** The user behind an access token, as a ZafuProfile (through the profileFields mapping). */
  async userInfo(accessToken: string): Promise<ZafuProfile> {
    const viaQuery = this.opts.userInfoAuth === 'query';
    const res = await this.transport({
      method: 'GET',
      url: this.opts.userInfoURL,
      query: viaQuery ? { access_token: accessToken } : undefined,
      headers: viaQuery ? {} : { authorization: `Bearer ${accessToken}` },
      timeout: this.timeout,
      platform: P,
      secrets: [accessToken],
    });
    if (res.status !== 200) throw platformRefusal(res, 'the user-info request', [accessToken]);
    return parseProfile(res.body, res.text, this.opts.profileFields);
  }
}

// ─────────────────────────────────── open platform (app) ───────────────────────────────────

/** The open APIs of the seed, by name. */
export type ZafuApi =
  'menulist' | 'menusubmit' | 'menudelete' | 'msgcreate' | 'msgsend' | 'getMessageStatus' | 'mustTaskList' | 'scanrecord';

/** The documented paths (all POST, `access_token` in the query). */
export const ZAFU_API_PATHS: Readonly<Record<ZafuApi, string>> = {
  menulist: '/api/menulist',
  menusubmit: '/api/menusubmit',
  menudelete: '/api/menudelete',
  msgcreate: '/api/msgcreate',
  msgsend: '/api/msgsend',
  getMessageStatus: '/api/getMessageStatus',
  mustTaskList: '/api/mustTaskList',
  scanrecord: '/api/scanrecord.jhtm',
};

/** A function (button) of a menu. */
export interface ZafuMenuDap {
  id: number;
  name: string;
  menu: number;
  fap_key: string;
}

/** A menu entry as `menulist` answers and `menusubmit` takes it. */
export interface ZafuMenu {
  id: number;
  name: string;
  parent?: number | null;
  /** 可配权限 */
  has_dap?: number | boolean;
  lvl?: number;
  menuDaps?: ZafuMenuDap[];
  /** 是否可见 (the platform's spelling) */
  visiable?: number | string;
  memo?: string | null;
  sort?: number | string;
  fap_key?: string;
  url?: string;
  icon_class?: string | null;
  childs?: ZafuMenu[];
}

/** 1 全体师生, 2 全体老师, 3 全体学生, 4 全体本科生, 5 全体研究生, 6 单人 */
export type ZafuMessageScope = 1 | 2 | 3 | 4 | 5 | 6;

export interface ZafuCreateMessageInput {
  /** 要推送的内容 */
  content: string;
  scope: ZafuMessageScope;
  /** 学工号 */
  userno: string;
  /** 1 短信, 2 app 通知 */
  channel: 1 | 2 | '1' | '2';
  /** Default: the client's `appId` option. */
  appId?: string;
  /** 手机号 (default: the user's own) */
  mobile?: string;
}

/** 1 短信, 3 微信公众号, 4 邮件, 5 App 普通消息, 6 App 重要消息, 7 App 必做任务, 8 App 通知公告 */
export type ZafuMessageType = 1 | 3 | 4 | 5 | 6 | 7 | 8;

export interface ZafuSendMessageInput {
  /** 消息内容; for WeChat (type 3) a JSON string, or an object (stringified). */
  content: string | JsonObject;
  messageType: ZafuMessageType;
  /** 学工号 (required for App messages). */
  xgh?: string;
  /** 1 手机号, 3 OpenId, 4 邮箱, 5/6 跳转 url, 7/8 任务 id. */
  messageTo?: string;
  /** WeChat template id (type 3 only). */
  templateId?: string;
  /** Default: the client's `appId` option. */
  appId?: string;
  /** 原表数据的真实主键, to query read status later. */
  dataKey?: string;
}

export interface ZafuMessageStatusInput {
  /** 接收人的学工号 */
  xgh: string;
  /** 5 App 重要消息, 6 App 普通消息, 8 App 通知公告 */
  messageType: 5 | 6 | 8;
  messageTo?: string;
  dataKey?: string;
}

export interface ZafuMessageStatus {
  /** '0' unread, '1' read */
  is_read: string;
  message_content: string;
  id: number;
  /** epoch ms, when read */
  read_date: number | null;
}

export interface ZafuTask {
  id: number;
  /** The example answer calls it `title`, the table `text`. */
  title?: string;
  text?: string;
}

export interface ZafuScanRecordInput {
  /** 终端名称 */
  termName: string;
  /** 终端序列号 */
  termSn: string;
  /** 姓名 */
  name: string;
  /** 学工号 */
  xgh: string;
  /** 身份证号 in plain text: the client encrypts it (AES, see the `aes` option). */
  idCard: string;
  /** 身份, e.g. 教师 */
  userType: string;
  /** 扫码时间: a string is sent as is; a Date as 'yyyy-MM-dd HH:mm:ss' in Beijing time. */
  scanDate: string | Date;
  /** Default: the client's `appId` option. */
  appId?: string;
}

export interface ZafuOpenPlatformOptions {
  clientId: string;
  clientSecret: string;
  /** The app's appId (msgcreate, msgsend, scanrecord, and the scanrecord AES key). */
  appId?: string;
  /** Default https://open.zafu.edu.cn */
  baseURL?: string;
  /** Token endpoint path. Default '/oauth/token'. */
  tokenPath?: string;
  /** 'POST' (JSON body, as documented; default) or 'GET' (query; the variant a later page shows). */
  tokenMethod?: 'POST' | 'GET';
  /** Where API parameters go: 'query' (as the documented URLs; default) or 'form' (POST body). */
  paramsIn?: 'query' | 'form';
  /** Override API paths. */
  paths?: Partial<Record<ZafuApi, string>>;
  /** Where the app token lives. Share one store across processes: every fetch invalidates the last token. */
  tokenStore?: TokenStore;
  /** AES settings for scanRecord's idCard (mode/encoding are unpublished). */
  aes?: ZafuAesOptions;
  timeout?: number;
  transport?: Transport;
  /** Clock for token expiry (epoch ms). */
  now?: () => number;
}

function beijingTime(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000).toISOString(); // UTC+8, no DST
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

function required(method: string, input: object, keys: string[]): void {
  for (const k of keys) {
    const v = (input as Record<string, unknown>)[k];
    if (v === undefined || v === null || v === '')
      throw new CampusAuthError('ERR_CONFIG', `zafu.${method}: "${k}" is required`, { platform: P });
  }
}

/**
 * The ZAFU open platform's app APIs with a client-credentials token. One token serves every caller:
 * single-flight within a process and a shared TokenStore across processes, because every fetch
 * invalidates the previous token. A rejected token is renewed and the call retried once.
 */
export class ZafuOpenPlatform {
  /** The app-token manager (key `zafu:<clientId>`). */
  readonly tokens: AppTokenManager;
  private readonly baseURL: string;
  private readonly transport: Transport;
  private readonly timeout: number;
  private readonly paths: Record<ZafuApi, string>;

  constructor(private readonly opts: ZafuOpenPlatformOptions) {
    if (!opts || typeof opts !== 'object')
      throw new CampusAuthError('ERR_CONFIG', 'zafu: options must be an object', { platform: P });
    for (const k of ['clientId', 'clientSecret'] as const)
      if (typeof opts[k] !== 'string' || !opts[k])
        throw new CampusAuthError('ERR_CONFIG', `zafu: option "${k}" is required`, { platform: P });
    if (opts.appId !== undefined && (typeof opts.appId !== 'string' || !/^[\x21-\x7e]{1,16}$/.test(opts.appId)))
      throw new CampusAuthError('ERR_CONFIG', 'zafu: option "appId" must be 1–16 ASCII characters', { platform: P });
    if (opts.tokenMethod !== undefined && opts.tokenMethod !== 'POST' && opts.tokenMethod !== 'GET')
      throw new CampusAuthError('ERR_CONFIG', `zafu: option "tokenMethod" must be 'POST' or 'GET'`, { platform: P });
    if (opts.paramsIn !== undefined && opts.paramsIn !== 'query' && opts.paramsIn !== 'form')
      throw new CampusAuthError('ERR_CONFIG', `zafu: option "paramsIn" must be 'query' or 'form'`, { platform: P });
    if (opts.timeout !== undefined && !(Number.isFinite(opts.timeout) && opts.timeout > 0))
      throw new CampusAuthError('ERR_CONFIG', 'zafu: option "timeout" must be a positive number of ms', { platform: P });
    if (opts.transport !== undefined && typeof opts.transport !== 'function')
      throw new CampusAuthError('ERR_CONFIG', 'zafu: option "transport" must be a function', { platform: P });
    if (opts.aes?.mode !== undefined && opts.aes.mode !== 'ecb' && opts.aes.mode !== 'cbc')
      throw new CampusAuthError('ERR_CONFIG', `zafu: option "aes.mode" must be 'ecb' or 'cbc'`, { platform: P });
    if (opts.aes?.encoding !== undefined && opts.aes.encoding !== 'base64' && opts.aes.encoding !== 'hex')
      throw new CampusAuthError('ERR_CONFIG', `zafu: option "aes.encoding" must be 'base64' or 'hex'`, { platform: P });
    this.baseURL = (opts.baseURL ?? ZAFU_BASE_URL).replace(/\/+$/, '');
    try {
      new URL(this.baseURL);
    } catch {
      throw new CampusAuthError('ERR_CONFIG', 'zafu: option "baseURL" must be an absolute URL', { platform: P });
    }
    this.transport = opts.transport ?? defaultTransport;
    this.timeout = opts.timeout ?? DEFAULT_TIMEOUT;
    this.paths = { ...ZAFU_API_PATHS, ...opts.paths };
    const now = opts.now ?? Date.now;
    this.tokens = new AppTokenManager({
      key: `zafu:${this.baseURL}:${opts.clientId}`,
      fetch: () => this.fetchAppToken(now),
      store: opts.tokenStore ?? processTokenStore(),
      now,
      platform: P,
    });
  }

  /** The current app access token (fetched, or from the store). */
  getAccessToken(): Promise<string> {
    return this.tokens.get();
  }

  /** POST /oauth/token with grant_type client_credentials (JSON body, or GET with query). */
  private async fetchAppToken(now: () => number): Promise<AppToken> {
    const params = { grant_type: 'client_credentials', client_id: this.opts.clientId, client_secret: this.opts.clientSecret };
    const url = `${this.baseURL}${this.opts.tokenPath ?? '/oauth/token'}`;
    const res = await this.transport(
      this.opts.tokenMethod === 'GET'
        ? { method: 'GET', url, query: params, timeout: this.timeout, platform: P }
        : { method: 'POST', url, json: params, timeout: this.timeout, platform: P },
    );
    if (res.status === 200) return parseAppToken(res.body, now());
    if (res.status === 401)
      throw new CampusAuthError('ERR_PLATFORM', 'zafu refused the client credentials (HTTP 401): check clientId / clientSecret', {
        platform: P,
        upstreamStatus: 401,
        platformCode: 401,
      });
    throw platformRefusal(res, 'the client-credentials token', [this.opts.clientSecret]);
  }

  /** One API call with the app token; a rejected token is renewed and the call retried once. */
  private call(api: ZafuApi, params: Record<string, QueryValue>): Promise<TransportResponse> {
    const url = `${this.baseURL}${this.paths[api]}`;
    const inForm = this.opts.paramsIn === 'form';
    const used: string[] = [this.opts.clientSecret]; // every token this call tried: a retry's error may echo the first
    return this.tokens.withToken(async (accessToken) => {
      used.push(accessToken);
      const res = await this.transport({
        method: 'POST',
        url,
        query: inForm ? { access_token: accessToken } : { ...params, access_token: accessToken },
        form: inForm ? params : undefined,
        timeout: this.timeout,
        platform: P,
        secrets: used,
      });
      if (res.status === 200) return res;
      const body: JsonObject = isObject(res.body) ? res.body : {};
      const error = optString(body, 'error');
      const description = optString(body, 'error_description') ?? '';
      const rejected =
        res.status === 401 ||
        error === 'invalid_grant' ||
        error === 'invalid_token' ||
        /access token is expired/i.test(description);
      if (rejected)
        throw new CampusAuthError(
          'ERR_PLATFORM',
          `zafu rejected the app access token (HTTP ${res.status}${error ? `, ${error}` : ''})`,
          {
            platform: P,
            upstreamStatus: res.status,
            platformCode: error ?? res.status,
            platformMessage: description || undefined,
            appTokenRejected: true,
            secrets: used,
          },
        );
      throw platformRefusal(res, `/${api}`, used);
    });
  }

  private appId(given: string | undefined, method: string): string {
    const appId = given ?? this.opts.appId;
    if (!appId)
      throw new CampusAuthError('ERR_CONFIG', `zafu.${method}: needs an appId (option "appId" or the argument)`, { platform: P });
    return appId;
  }

  /** 菜单列表: the app's menus for the platform client. */
  async menuList(): Promise<ZafuMenu[]> {
    const res = await this.call('menulist', {});
    return expectArray<ZafuMenu>(checkEnvelope(res.body, 'the menulist answer'), 'the menu list');
  }

  /** 添加修改菜单: replace the app's menus (the whole tree, as menuList returns it). */
  async submitMenus(menus: ZafuMenu[]): Promise<void> {
    if (!Array.isArray(menus))
      throw new CampusAuthError('ERR_CONFIG', 'zafu.submitMenus: menus must be an array', { platform: P });
    const res = await this.call('menusubmit', { json: JSON.stringify(menus) });
    checkEnvelope(res.body, 'the menusubmit answer');
  }

  /** 删除菜单 */
  async deleteMenu(id: string | number): Promise<void> {
    required('deleteMenu', { id }, ['id']);
    const res = await this.call('menudelete', { id: String(id) });
    checkEnvelope(res.body, 'the menudelete answer');
  }

  /** 推送短信消息、app 通知 (msgcreate). */
  async createMessage(input: ZafuCreateMessageInput): Promise<ZafuStatusResult> {
    required('createMessage', input, ['content', 'scope', 'userno', 'channel']);
    const res = await this.call('msgcreate', {
      content: input.content,
      scope: input.scope,
      userno: input.userno,
      channel: input.channel,
      appId: this.appId(input.appId, 'createMessage'),
      mobile: input.mobile,
    });
    return checkStatusEnvelope(res.body, 'the msgcreate answer');
  }

  /** 发送消息 (msgsend): SMS, WeChat, e-mail, App messages and tasks. */
  async sendMessage(input: ZafuSendMessageInput): Promise<ZafuStatusResult> {
    required('sendMessage', input, ['content', 'messageType']);
    const res = await this.call('msgsend', {
      content: typeof input.content === 'string' ? input.content : JSON.stringify(input.content),
      xgh: input.xgh,
      messageType: input.messageType,
      messageTo: input.messageTo,
      templateId: input.templateId,
      appId: input.appId ?? this.opts.appId,
      dataKey: input.dataKey,
    });
    return checkStatusEnvelope(res.body, 'the msgsend answer');
  }

  /** 消息是否已读 (App messages and notices). */
  async getMessageStatus(input: ZafuMessageStatusInput): Promise<ZafuMessageStatus[]> {
    required('getMessageStatus', input, ['xgh', 'messageType']);
    const res = await this.call('getMessageStatus', {
      xgh: input.xgh,
      messageType: input.messageType,
      messageTo: input.messageTo,
      dataKey: input.dataKey,
    });
    return expectArray<ZafuMessageStatus>(checkEnvelope(res.body, 'the getMessageStatus answer'), 'the message status list');
  }

  /** 任务列表: every task configured in the App back end (for messageType 7/8). */
  async mustTaskList(): Promise<ZafuTask[]> {
    const res = await this.call('mustTaskList', {});
    return expectArray<ZafuTask>(checkEnvelope(res.body, 'the mustTaskList answer'), 'the task list');
  }

  /** 消费记录 (scanrecord.jhtm): the idCard is AES-encrypted here with the appId-derived key. */
  async scanRecord(input: ZafuScanRecordInput): Promise<void> {
    required('scanRecord', input, ['termName', 'termSn', 'name', 'xgh', 'idCard', 'userType', 'scanDate']);
    const appId = this.appId(input.appId, 'scanRecord');
    const res = await this.call('scanrecord', {
      termName: input.termName,
      termSn: input.termSn,
      name: input.name,
      xgh: input.xgh,
      idCard: encryptIdCard(input.idCard, appId, this.opts.aes),
      userType: input.userType,
      scanDate: input.scanDate instanceof Date ? beijingTime(input.scanDate) : input.scanDate,
      appId,
    });
    checkEnvelope(res.body, 'the scanrecord answer');
  }
}
