/** Seeded data of the ZAFU emulator: the default app, test users, the seed's menus and tasks. */

/** The fixed port `campus-mock` uses. */
export const DEFAULT_PORT = 4105;

/** An app registered on the open platform (one registration serves client credentials and website login). */
export interface ZafuApp {
  clientId: string;
  clientSecret: string;
  /** The appId (msgcreate/msgsend/scanrecord, and the scanrecord AES key). */
  appId: string;
  name: string;
  /** When set, only these redirect URIs are accepted at /oauth/authorize. */
  redirectUris?: string[];
}

/** The default app registration (the demo app works with it out of the box). */
// unconfirmed: client id/secret are the emulator's; appId "01" is the seed's example (§scanrecord.jhtm: appid = 01)
export const ZAFU_DEFAULT_APP: Readonly<ZafuApp> = Object.freeze({
  clientId: 'zafu-demo-client',
  clientSecret: 'zafu-demo-secret-NOT-FOR-PRODUCTION-7c1e',
  appId: '01',
  name: '校园演示应用',
});

export const ZAFU_DEFAULT_CLIENT_ID = ZAFU_DEFAULT_APP.clientId;
export const ZAFU_DEFAULT_CLIENT_SECRET = ZAFU_DEFAULT_APP.clientSecret;
export const ZAFU_DEFAULT_APP_ID = ZAFU_DEFAULT_APP.appId;

/** A seeded ZAFU user, as the emulator's user-info endpoint answers it. */
export interface ZafuUser {
  /** The platform's stable account id. */
  id: string;
  /** 学工号 */
  xgh: string;
  name: string;
  /** 身份 */
  userType: string;
  department: string;
  mobile: string;
}

// unconfirmed: the website login's user fields are not public; these users and fields are the emulator's own
export const ZAFU_USERS: readonly ZafuUser[] = Object.freeze([
  { id: '100001', xgh: '2021101001', name: '林晓雨', userType: '学生', department: '林业与生物技术学院', mobile: '13800000001' },
  { id: '100002', xgh: '2022202017', name: '陈浩然', userType: '学生', department: '信息工程学院', mobile: '13800000002' },
  { id: '200001', xgh: 'T2008012', name: '王建国', userType: '教师', department: '环境与资源学院', mobile: '13900000001' },
]);

/** The seed's menu tree (menulist example). */
// seed: zafu-open-platform.md §POST /api/menulist, the example's data, field for field
export const ZAFU_SEED_MENUS = [
  {
    parent: 1701,
    has_dap: 0,
    lvl: 2,
    menuDaps: [],
    visiable: 1,
    memo: null,
    sort: 40,
    fap_key: 'admin.appui.xufg',
    childs: [
      {
        parent: 1702,
        has_dap: 0,
        lvl: 3,
        menuDaps: [
          { name: '新增', id: 1, menu: 1703, fap_key: 'admin.xxx.create' },
          { name: '删除', id: 2, menu: 1703, fap_key: 'admin.xxx.delete' },
        ],
        name: '类型设置',
        visiable: 1,
        memo: null,
        icon_class: null,
        id: 1703,
        sort: 1,
        fap_key: 'admin.appui.xyfg.fglx',
        url: 'http://localhost/appbiz/admin/campusviewtype/list.htm',
      },
      {
        parent: 1702,
        has_dap: 0,
        lvl: 3,
        menuDaps: [],
        name: '校园风光',
        visiable: 1,
        memo: null,
        icon_class: null,
        id: 1704,
        sort: 2,
        fap_key: 'admin.appui.xyfg.xyfg',
        url: 'http://localhost/appbiz/admin/campusview/list.htm',
      },
    ],
    url: '#',
    name: '校园',
    icon_class: null,
    id: 1702,
  },
];

/** The seed's task list (mustTaskList example). */
// seed: zafu-open-platform.md §POST /api/mustTaskList, the example's data
export const ZAFU_SEED_TASKS = [
  { id: 14, title: '关于清理校内废弃自行车、电瓶车的通知' },
  { id: 16, title: '测试学生销假' },
  { id: 18, title: '预警信息' },
];

/** Lifetime of a client-credentials token: 2 weeks, in seconds. */
// seed: zafu-open-platform.md §POST /oauth/token — 有效期目前为2周, expires_in 1209600
export const APP_TOKEN_TTL = 1_209_600;
/** Lifetime of a website-login access token, seconds (unpublished; the emulator's choice). */
// unconfirmed: the website-access document is not public
export const USER_TOKEN_TTL = 7200;
/** Lifetime of an authorization code, ms (unpublished; the emulator's choice). */
// unconfirmed: the website-access document is not public
export const CODE_TTL = 5 * 60_000;
