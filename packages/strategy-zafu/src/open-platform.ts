/**
 * The ZAFU open platform's app APIs (seed: zafu-open-platform.md) with a client-credentials token.
 * One token serves every caller: single-flight within a process and a shared TokenStore across
 * processes, because every fetch invalidates the previous token. A rejected token is renewed and
 * the call retried once (core's AppTokenManager). What is ZAFU's own here: the token call (JSON
 * body, or GET with a query), `access_token` in the query of every API, the two envelopes
 * (`{type, …, data}` and `{status, message}`), which answers mean "the token is bad", and the
 * AES-encrypted idCard of scanrecord.
 */
import { type AppToken, type QueryValue, type TokenStore, type TransportResponse } from '@campus-passport/core';
import { AppTokenManager, type PlatformClientOptions, processTokenStore, type JsonObject } from '@campus-passport/core/kit';
import { ZafuClientBase } from './client';
import { encryptIdCard, type ZafuAesOptions } from './crypto';
import { checkEnvelope, checkStatusEnvelope, expectArray, parseAppToken, type ZafuStatusResult } from './profile';

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
  /** The platform's `appId` parameter. Default: the client's `appID` option. */
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
  /** The platform's `appId` parameter. Default: the client's `appID` option. */
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
  /** The platform's `appId` parameter. Default: the client's `appID` option. */
  appId?: string;
}

/** The options besides the client id (see {@link ZafuOpenPlatformOptions}). */
export interface ZafuOpenPlatformSettings extends PlatformClientOptions {
  clientSecret: string;
  /** The app's appId (msgcreate, msgsend, scanrecord, and the scanrecord AES key). */
  appID?: string;
  /** @deprecated use `appID` (Passport's casing). */
  appId?: string;
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
}

/** The open platform's options: `clientID` (or its deprecated spelling `clientId`) is required. */
export type ZafuOpenPlatformOptions = ZafuOpenPlatformSettings &
  (
    | { /** The app's client_id. */ clientID: string; /** @deprecated use `clientID` (Passport's casing). */ clientId?: string }
    | { clientID?: string; /** @deprecated use `clientID` (Passport's casing). */ clientId: string }
  );

function beijingTime(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000).toISOString(); // UTC+8, no DST
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

/** Answers that say the app token is bad: 401, or the seed's 403 `invalid_grant` "Access token is expired". */
function tokenRejected(res: TransportResponse, said: { platformCode?: string; platformMessage?: string }): boolean {
  return (
    res.status === 401 ||
    said.platformCode === 'invalid_grant' ||
    said.platformCode === 'invalid_token' ||
    /access token is expired/i.test(said.platformMessage ?? '')
  );
}

export class ZafuOpenPlatform extends ZafuClientBase {
  /** The app-token manager (key `zafu:<baseURL>:<clientID>`). */
  readonly tokens: AppTokenManager;
  readonly clientID: string;
  readonly appID?: string;
  private readonly clientSecret: string;
  private readonly tokenPath: string;
  private readonly tokenMethod: 'POST' | 'GET';
  private readonly paramsIn: 'query' | 'form';
  private readonly paths: Record<ZafuApi, string>;
  private readonly aes?: ZafuAesOptions;

  constructor(options: ZafuOpenPlatformOptions) {
    super(options);
    const check = this.check;
    this.clientID = check.string(...this.alias(options, 'clientID', 'clientId'));
    this.clientSecret = check.string(options.clientSecret, 'clientSecret');
    const [appID, appOption] = this.alias(options, 'appID', 'appId');
    if (appID !== undefined && (typeof appID !== 'string' || !/^[\x21-\x7e]{1,16}$/.test(appID)))
      throw check.fail(`option "${appOption}" must be 1–16 ASCII characters`);
    this.appID = appID;
    this.tokenPath = check.optString(options.tokenPath, 'tokenPath') ?? '/oauth/token';
    this.tokenMethod = check.oneOf(options.tokenMethod, 'tokenMethod', ['POST', 'GET'], 'POST');
    this.paramsIn = check.oneOf(options.paramsIn, 'paramsIn', ['query', 'form'], 'query');
    this.paths = { ...ZAFU_API_PATHS };
    for (const [api, path] of Object.entries(options.paths ?? {}))
      if (path !== undefined) this.paths[api as ZafuApi] = check.string(path, `paths.${api}`);
    if (options.aes !== undefined) {
      check.oneOf(options.aes.mode, 'aes.mode', ['ecb', 'cbc'], 'ecb');
      check.oneOf(options.aes.encoding, 'aes.encoding', ['base64', 'hex'], 'base64');
      this.aes = options.aes;
    }
    this.tokens = new AppTokenManager({
      key: `zafu:${this.baseURL}:${this.clientID}`,
      fetch: () => this.fetchAppToken(),
      store: check.optTokenStore(options.tokenStore) ?? processTokenStore(),
      now: this.now,
      // a token store that does not answer ends the call within the call's own timeout (ERR_STORE)
      timeout: this.timeout,
      platform: this.platform,
    });
  }

  /** An option with its deprecated spelling: the value and the name it was given under. */
  private alias<K extends 'clientID' | 'appID', D extends 'clientId' | 'appId'>(
    o: ZafuOpenPlatformOptions,
    name: K,
    deprecated: D,
  ): [unknown, K | D] {
    if (o[deprecated] === undefined) return [o[name], name];
    if (o[name] !== undefined && o[name] !== o[deprecated])
      throw this.check.fail(`options "${name}" and "${deprecated}" (its deprecated spelling) differ`);
    return [o[deprecated], o[name] !== undefined ? name : deprecated];
  }

  /** The current app access token (fetched, or from the store). */
  getAccessToken(): Promise<string> {
    return this.tokens.get();
  }

  /** seed §POST /oauth/token: grant_type client_credentials in a JSON body (or GET with a query). */
  private async fetchAppToken(): Promise<AppToken> {
    const params = { grant_type: 'client_credentials', client_id: this.clientID, client_secret: this.clientSecret };
    const secrets = [this.clientSecret];
    const res = await this.send(
      this.tokenMethod === 'GET'
        ? { method: 'GET', path: this.tokenPath, query: params, secrets }
        : { method: 'POST', path: this.tokenPath, json: params, secrets },
    );
    if (res.status === 200) return parseAppToken(res.body, this.now());
    const what = 'the client-credentials token';
    this.platformSaid(res, what, secrets);
    if (res.status === 401)
      throw this.error('ERR_PLATFORM', 'zafu refused the client credentials (HTTP 401): check clientID / clientSecret', {
        upstreamStatus: 401,
        platformCode: 401,
      });
    throw this.refusal(res, what, secrets);
  }

  /** One API call with the app token; a rejected token is renewed and the call retried once. */
  private call(api: ZafuApi, params: Record<string, QueryValue>): Promise<TransportResponse> {
    const inForm = this.paramsIn === 'form';
    const used: string[] = [this.clientSecret]; // every token this call tried: a retry's error may echo the first
    const what = `/${api}`;
    return this.tokens.withToken(async (accessToken) => {
      used.push(accessToken);
      const res = await this.send({
        method: 'POST',
        path: this.paths[api],
        query: inForm ? { access_token: accessToken } : { ...params, access_token: accessToken },
        form: inForm ? params : undefined,
        secrets: used,
      });
      if (res.status === 200) return res;
      const said = this.platformSaid(res, what, used);
      if (tokenRejected(res, said))
        throw this.error(
          'ERR_PLATFORM',
          `zafu rejected the app access token (HTTP ${res.status}${said.platformCode ? `, ${said.platformCode}` : ''})`,
          {
            upstreamStatus: res.status,
            platformCode: said.platformCode ?? res.status,
            platformMessage: said.platformMessage,
            appTokenRejected: true,
            secrets: used,
          },
        );
      throw this.refusal(res, what, used);
    });
  }

  /** An argument the API needs → ERR_CONFIG before any call. */
  private required(method: string, input: object, keys: string[]): void {
    for (const k of keys) {
      const v = (input as Record<string, unknown>)[k];
      if (v === undefined || v === null || v === '') throw this.check.fail(`${method}: "${k}" is required`);
    }
  }

  private appId(given: string | undefined, method: string): string {
    const appId = given ?? this.appID;
    if (!appId) throw this.check.fail(`${method}: needs an appId (option "appID" or the argument)`);
    return appId;
  }

  /** 菜单列表: the app's menus for the platform client. */
  async menuList(): Promise<ZafuMenu[]> {
    const res = await this.call('menulist', {});
    return expectArray<ZafuMenu>(checkEnvelope(res.body, 'the menulist answer'), 'the menu list');
  }

  /** 添加修改菜单: replace the app's menus (the whole tree, as menuList returns it). */
  async submitMenus(menus: ZafuMenu[]): Promise<void> {
    if (!Array.isArray(menus)) throw this.check.fail('submitMenus: menus must be an array');
    const res = await this.call('menusubmit', { json: JSON.stringify(menus) });
    checkEnvelope(res.body, 'the menusubmit answer');
  }

  /** 删除菜单 */
  async deleteMenu(id: string | number): Promise<void> {
    this.required('deleteMenu', { id }, ['id']);
    const res = await this.call('menudelete', { id: String(id) });
    checkEnvelope(res.body, 'the menudelete answer');
  }

  /** 推送短信消息、app 通知 (msgcreate). */
  async createMessage(input: ZafuCreateMessageInput): Promise<ZafuStatusResult> {
    this.required('createMessage', input, ['content', 'scope', 'userno', 'channel']);
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
    this.required('sendMessage', input, ['content', 'messageType']);
    const res = await this.call('msgsend', {
      content: typeof input.content === 'string' ? input.content : JSON.stringify(input.content),
      xgh: input.xgh,
      messageType: input.messageType,
      messageTo: input.messageTo,
      templateId: input.templateId,
      appId: input.appId ?? this.appID,
      dataKey: input.dataKey,
    });
    return checkStatusEnvelope(res.body, 'the msgsend answer');
  }

  /** 消息是否已读 (App messages and notices). */
  async getMessageStatus(input: ZafuMessageStatusInput): Promise<ZafuMessageStatus[]> {
    this.required('getMessageStatus', input, ['xgh', 'messageType']);
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
    this.required('scanRecord', input, ['termName', 'termSn', 'name', 'xgh', 'idCard', 'userType', 'scanDate']);
    const appId = this.appId(input.appId, 'scanRecord');
    const res = await this.call('scanrecord', {
      termName: input.termName,
      termSn: input.termSn,
      name: input.name,
      xgh: input.xgh,
      idCard: encryptIdCard(input.idCard, appId, this.aes),
      userType: input.userType,
      scanDate: input.scanDate instanceof Date ? beijingTime(input.scanDate) : input.scanDate,
      appId,
    });
    checkEnvelope(res.body, 'the scanrecord answer');
  }
}
