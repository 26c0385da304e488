/** Seeded users, apps, roles and menus of the disabled-aid emulator (智慧助残数字化平台). */

export type DisabledAidSide = 'governance' | 'service' | 'collaboration';

export interface SeedUser {
  useruuid: string;
  username: string;
  /** 12-digit Zhejiang division code (区划). */
  areacode: string;
  deptuuid: string;
  deptname: string;
  side: DisabledAidSide;
  /** Role ids this user holds in DEFAULT_APP_ID. */
  roleIds: string[];
}

export interface SeedRole {
  roleId: string;
  roleCode: string;
  /** 2 province / 4 city / 6 district / 9 street / 12 village. */
  roleLeve: string;
  roleName: string;
  permIds: string[];
}

export interface SeedPermission {
  permId: string;
  permPid: string;
  permNkey: string;
  permName: string;
  permIcon: string;
  permPath: string;
  permSort: string;
}

/** The app registered on the emulator (aid / appid). */
// unconfirmed: the emulator's own app id (seed §2: aid comes from the 应用开放平台)
export const DEFAULT_APP_ID = 'app-zhucan-demo-0001';

/** Where the portal opens the app by default (the demo app's callback). */
// unconfirmed: the emulator's choice (the demo app's callback)
export const DEFAULT_APP_URL = 'http://localhost:3000/auth/disabled-aid/callback';

/** How long a platform session (and so its stoken) lives, ms. */
// seed §1: 会话码时效和平台一致 (as long as the platform session); unconfirmed: the session's length, 30 min here
export const DEFAULT_SESSION_TTL = 30 * 60_000;

export const DEFAULT_PORT = 4104;

// seed §1: the three sides 治理端 / 服务端 / 协同端
export const SIDE_LABELS: Record<DisabledAidSide, string> = {
  governance: '治理端',
  service: '服务端',
  collaboration: '协同端',
};

// unconfirmed: seeded users are the emulator's own; their fields are the seed's (§1 data), areacode a 12-digit division code
export const DISABLED_AID_USERS: readonly SeedUser[] = [
  {
    useruuid: '8a8a8a01f0c14e2b9d3e5a6b7c8d9e01',
    username: '张慧',
    areacode: '330106000000',
    deptuuid: 'dept-330106-cl',
    deptname: '西湖区残疾人联合会',
    side: 'governance',
    roleIds: ['r-district-admin'],
  },
  {
    useruuid: '8a8a8a01f0c14e2b9d3e5a6b7c8d9e02',
    username: '李建国',
    areacode: '330100000000',
    deptuuid: 'dept-330100-cl',
    deptname: '杭州市残疾人联合会',
    side: 'governance',
    roleIds: ['r-city-viewer', 'r-district-admin'],
  },
  {
    useruuid: '8a8a8a01f0c14e2b9d3e5a6b7c8d9e03',
    username: '王芳',
    areacode: '330106001000',
    deptuuid: 'org-330106-yg',
    deptname: '西湖区阳光助残服务中心',
    side: 'service',
    roleIds: ['r-service-staff'],
  },
  {
    useruuid: '8a8a8a01f0c14e2b9d3e5a6b7c8d9e04',
    username: '陈明',
    areacode: '330106000000',
    deptuuid: 'dept-330106-mz',
    deptname: '西湖区民政局',
    side: 'collaboration',
    roleIds: ['r-partner'],
  },
  {
    useruuid: '8a8a8a01f0c14e2b9d3e5a6b7c8d9e05',
    username: '刘洋',
    areacode: '330106001001',
    deptuuid: 'dept-330106001001-sq',
    deptname: '北山街道黄龙社区',
    side: 'collaboration',
    roleIds: [],
  },
];

// unconfirmed: the emulator's own menu; the fields are the seed's (§3), all String
export const DISABLED_AID_PERMISSIONS: readonly SeedPermission[] = [
  { permId: '100', permPid: '0', permNkey: 'home', permName: '首页', permIcon: 'home', permPath: '/home', permSort: '1' },
  { permId: '200', permPid: '0', permNkey: 'persons', permName: '残疾人管理', permIcon: 'user', permPath: '', permSort: '2' },
  {
    permId: '201',
    permPid: '200',
    permNkey: 'persons:list',
    permName: '残疾人档案',
    permIcon: '',
    permPath: '/persons',
    permSort: '1',
  },
  {
    permId: '202',
    permPid: '200',
    permNkey: 'persons:subsidy',
    permName: '补贴审核',
    permIcon: '',
    permPath: '/subsidies',
    permSort: '2',
  },
  { permId: '300', permPid: '0', permNkey: 'service', permName: '服务管理', permIcon: 'service', permPath: '', permSort: '3' },
  {
    permId: '301',
    permPid: '300',
    permNkey: 'service:orders',
    permName: '服务工单',
    permIcon: '',
    permPath: '/orders',
    permSort: '2',
  },
  {
    permId: '302',
    permPid: '300',
    permNkey: 'service:reviews',
    permName: '服务评价',
    permIcon: '',
    permPath: '/reviews',
    permSort: '1',
  },
  {
    permId: '900',
    permPid: '0',
    permNkey: 'system',
    permName: '系统设置',
    permIcon: 'setting',
    permPath: '/system',
    permSort: '9',
  },
];

// unconfirmed: the emulator's own roles; the fields are the seed's (§2), roleLeve one of 2/4/6/9/12
export const DISABLED_AID_ROLES: readonly SeedRole[] = [
  {
    roleId: 'r-district-admin',
    roleCode: 'DISTRICT_ADMIN',
    roleLeve: '6',
    roleName: '区县管理员',
    permIds: ['100', '200', '201', '202', '900'],
  },
  { roleId: 'r-city-viewer', roleCode: 'CITY_VIEWER', roleLeve: '4', roleName: '市级查看', permIds: ['100', '200', '201'] },
  {
    roleId: 'r-service-staff',
    roleCode: 'SERVICE_STAFF',
    roleLeve: '9',
    roleName: '服务人员',
    permIds: ['100', '300', '301', '302'],
  },
  { roleId: 'r-partner', roleCode: 'PARTNER', roleLeve: '6', roleName: '协同部门', permIds: ['100', '201'] },
];
