import { DISABLED_AID_USERS } from '@campus-passport/mock-platforms/disabled-aid';
import { HDUHELP_USERS } from '@campus-passport/mock-platforms/hduhelp';
import { NCUOS_USERS } from '@campus-passport/mock-platforms/ncuos';
import { ZAFU_USERS } from '@campus-passport/mock-platforms/zafu';
import { ZIQIANG_USERS } from '@campus-passport/mock-platforms/ziqiang';

/** One test user per platform: the data-user to click and the name the profile page must show. */
export interface LoginCase {
  platform: string;
  user: string;
  name: string;
}

const governance = DISABLED_AID_USERS.find((u) => u.side === 'governance')!;

export const CASES: LoginCase[] = [
  { platform: 'hduhelp', user: HDUHELP_USERS[1].userId, name: HDUHELP_USERS[1].staffName },
  { platform: 'ziqiang', user: ZIQIANG_USERS[0].id, name: ZIQIANG_USERS[0].name },
  { platform: 'ncuos', user: String(NCUOS_USERS[0].id), name: NCUOS_USERS[0].name },
  { platform: 'disabled-aid', user: governance.useruuid, name: governance.username },
  { platform: 'zafu', user: ZAFU_USERS[0].id, name: ZAFU_USERS[0].name },
];

export function caseOf(platform: string): LoginCase {
  return CASES.find((c) => c.platform === platform)!;
}
