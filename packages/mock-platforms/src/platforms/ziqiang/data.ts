/** Seeded data of the Ziqiang Auth emulator: the apps, test users, lifetimes and the platform's code table. */

export const DEFAULT_PORT = 4102;

export interface ZiqiangEmulatorApp {
  id: number;
  appKey: string;
  appSecret: string;
  /** The app's English id: the login page's `app-name`. */
  username: string;
  name: string;
  /** An inactive app cannot log in (A0311). Default true. */
  active?: boolean;
}

export interface ZiqiangEmulatorUser {
  /** The login page's `data-user`. */
  id: string;
  name: string;
  studentId: string | null;
  phone: string | null;
  certified: boolean;
  /** ISO time (+08:00) or null when not certified. */
  certifyTime: string | null;
  updateTime: string;
  /** Not activated: the login page gives no code (A0311); a code minted anyway gets A0311. Default true. */
  active?: boolean;
  /** Deleted or certification revoked: `/users/{union_id}/` answers A0514. Default false. */
  gone?: boolean;
}

/** The demo app registration (works out of the box with the demo app). */
export const ZIQIANG_APP: Readonly<ZiqiangEmulatorApp> = Object.freeze({
  id: 9,
  appKey: 'zq-demo-app-key',
  appSecret: 'zq-demo-app-secret-0f1e2d3c4b5a6978',
  username: 'zq_demo',
  name: '自强演示应用',
  active: true,
});

/** A second app, to show codes and union ids are bound to their app. */
export const ZIQIANG_OTHER_APP: Readonly<ZiqiangEmulatorApp> = Object.freeze({
  id: 10,
  appKey: 'zq-other-app-key',
  appSecret: 'zq-other-app-secret-a1b2c3d4e5f60718',
  username: 'zq_other',
  name: '另一个应用',
  active: true,
});

export const ZIQIANG_USERS: ReadonlyArray<Readonly<ZiqiangEmulatorUser>> = Object.freeze([
  {
    id: 'zhangsan',
    name: '张三',
    studentId: '2020302110001',
    phone: '18312341233',
    certified: true,
    certifyTime: '2023-03-04T20:42:00+08:00',
    updateTime: '2023-03-06T10:49:07.976501+08:00',
  },
  {
    id: 'lisi',
    name: '李四',
    studentId: '2021302110002',
    phone: '18312345678',
    certified: true,
    certifyTime: '2023-09-10T09:00:00+08:00',
    updateTime: '2023-09-10T09:00:05.120000+08:00',
  },
  {
    id: 'wangwu',
    name: '王五',
    studentId: null,
    phone: '18398765432',
    certified: false,
    certifyTime: null,
    updateTime: '2024-01-02T08:30:00.000000+08:00',
  },
  {
    id: 'zhaoliu',
    name: '赵六',
    studentId: '2019302110004',
    phone: null,
    certified: true,
    certifyTime: '2019-09-01T10:00:00+08:00',
    updateTime: '2024-02-01T12:00:00.000000+08:00',
    active: false,
  },
]);

/** zq_auth_sdk/client/__init__.py: ACCESS_LIFETIME one day, REFRESH_LIFETIME ten days. */
export const ZIQIANG_ACCESS_TTL = 24 * 60 * 60_000;
export const ZIQIANG_REFRESH_TTL = 10 * 24 * 60 * 60_000;
/** zq_auth_doc docs/introduction.md: a code lives 5 minutes. */
export const ZIQIANG_CODE_TTL = 5 * 60_000;

/** zq_auth_sdk/entities/response.py ZqAuthResponseType: code → [HTTP status, detail]. */
export const MESSAGES = {
  A0210: [400, '用户登录失败'],
  A0221: [401, 'token 无效或已过期'],
  A0310: [401, '用户未登录'],
  A0311: [403, '用户未激活'],
  A0400: [400, '用户请求参数错误'],
  A0410: [400, '请求 JSON 解析错误'],
  A0420: [400, '请求必填参数为空'],
  A0430: [400, '请求参数值校验失败'],
  A0510: [404, '请求接口不存在'],
  A0511: [405, '请求方法不允许'],
  A0512: [429, '请求次数超出限制'],
  A0514: [404, '请求资源不存在'],
} as const satisfies Record<string, readonly [number, string]>;
export type ErrorCode = keyof typeof MESSAGES;

/** zq_auth_sdk/entities/response.py RefreshTokenInvalid: A0221 with its own message. */
export const REFRESH_INVALID = 'refresh token 无效或已过期';
