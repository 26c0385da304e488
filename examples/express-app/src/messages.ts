/**
 * What the error page and the JSON errors tell the user, in both languages: a message per stable
 * code and, where the strategy says why (`info.reason` of its fail), a message per reason. Never
 * the error's own text: no internals, no secrets.
 */
import { DEFAULT_STATUS, USER_ERROR_CODES } from '@campus-passport/core/kit';
import type { Lang, Texts } from './i18n';

/** A message per code: core's codes, then the demo's own. */
export const CODE_MESSAGES: Readonly<Record<string, Texts>> = {
  ERR_STATE: {
    zh: '这次登录和本站发起的登录对不上（可能已过期或已用过）。请重新登录。',
    en: 'This sign-in does not match one started here (it may have expired or been used already). Please start again.',
  },
  ERR_NO_CREDENTIAL: {
    zh: '平台没有带回登录凭据。请重新登录。',
    en: 'The platform sent no sign-in credential. Please start again.',
  },
  ERR_INVALID_CREDENTIAL: {
    zh: '登录凭据无效、已过期或已被使用。请重新登录。',
    en: 'The sign-in credential was invalid, expired or already used. Please start again.',
  },
  ERR_DENIED: {
    zh: '登录被拒绝：你取消了授权，或者这个账号不能使用本应用。',
    en: 'The sign-in was refused: it was cancelled, or this account may not use this app.',
  },
  ERR_PLATFORM: { zh: '平台报告了一个错误。请稍后再试。', en: 'The platform reported an error. Please try again later.' },
  ERR_RATE_LIMITED: { zh: '平台现在很忙。请过一分钟再试。', en: 'The platform is busy right now. Please try again in a minute.' },
  ERR_TIMEOUT: { zh: '平台没有及时回应。请再试一次。', en: 'The platform did not answer in time. Please try again.' },
  ERR_NETWORK: { zh: '连不上平台。请稍后再试。', en: 'The platform could not be reached. Please try again later.' },
  ERR_BAD_RESPONSE: {
    zh: '平台的回答无法识别。请稍后再试。',
    en: 'The platform answered something unexpected. Please try again later.',
  },
  ERR_STORE: {
    zh: '本站暂时无法保存登录信息。请稍后再试。',
    en: 'This site could not store the sign-in data right now. Please try again later.',
  },
  ERR_CONFIG: {
    zh: '这种登录方式在本站的配置有误。请告诉网站管理员。',
    en: 'This sign-in method is not set up correctly. Please tell the site administrator.',
  },
  ERR_NOT_CONFIGURED: { zh: '本站没有配置这个平台。', en: 'This platform is not configured on this site.' },
  ERR_UNKNOWN_PLATFORM: { zh: '没有这个登录平台。', en: 'There is no such sign-in platform.' },
  ERR_NOT_FOUND: { zh: '没有这个页面。', en: 'This page does not exist.' },
  ERR_BAD_REQUEST: { zh: '无法理解这个请求。', en: 'The request could not be understood.' },
  ERR_UNSUPPORTED_MEDIA_TYPE: {
    zh: '请以 JSON 提交登录凭据（Content-Type: application/json）。',
    en: 'Send the credential as JSON (Content-Type: application/json).',
  },
  ERR_INTERNAL: { zh: '本站出了点问题。请再试一次。', en: 'Something went wrong on our side. Please try again.' },
};

/**
 * Why a sign-in was refused (the strategies' `info.reason`), for any refusal code (the user-error
 * codes: ERR_DENIED, ERR_INVALID_CREDENTIAL…): one message per distinct refusal.
 */
export const REFUSAL_MESSAGES: Readonly<Record<string, Texts>> = {
  declined: {
    zh: '你在平台的页面上取消了授权，所以没有登录。想登录时请重新开始。',
    en: "You declined on the platform's page, so you were not signed in. Start again whenever you want to sign in.",
  },
  'not-certified': {
    zh: '这个账号还没有通过学生身份认证，而本应用只接受已认证的账号。请先在平台上完成认证。',
    en: 'This account has not passed the student certification, and this app accepts certified accounts only. Complete the certification on the platform first.',
  },
  'no-group': {
    zh: '这个账号不属于任何身份组，本应用不接受没有身份组的账号。请联系平台管理员把你加入身份组。',
    en: "This account belongs to no group, and this app does not accept accounts without one. Ask the platform's administrators to add you to a group.",
  },
  'wrong-side': {
    zh: '这个账号属于平台的另一端（如服务端、协作端），和本应用接入的端不同。请换用该端的账号登录。',
    en: 'This account belongs to another side of the platform (such as the service or collaboration side) than the one this app is registered on. Sign in with an account of that side.',
  },
};

/** Reasons that belong to one code only: the state check's (core's state store sends them with ERR_STATE). */
export const CODE_REASON_MESSAGES: Readonly<Record<string, Readonly<Record<string, Texts>>>> = {
  ERR_STATE: {
    missing: {
      zh: '平台带回的登录没有 state 参数，无法确认是本站发起的。请重新登录。',
      en: 'The sign-in came back without its state, so it cannot be matched to one started here. Please start again.',
    },
    unknown: {
      zh: '这次登录不是在本站（或本浏览器）发起的。请重新登录。',
      en: 'This sign-in was not started here (or in this browser). Please start again.',
    },
    expired: {
      zh: '登录用时太久，已经过期。请重新登录。',
      en: 'The sign-in took too long and expired. Please start again.',
    },
    used: {
      zh: '这次登录已经完成过一次了（例如刷新或后退了页面）。请重新登录。',
      en: 'This sign-in was already completed once (a reload or the back button, perhaps). Please start again.',
    },
  },
};

/** The demo's own codes' statuses (core's come from its DEFAULT_STATUS table). */
const DEMO_STATUS: Readonly<Record<string, number>> = {
  ERR_NOT_CONFIGURED: 404,
  ERR_UNKNOWN_PLATFORM: 404,
  ERR_NOT_FOUND: 404,
  ERR_BAD_REQUEST: 400,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_INTERNAL: 500,
};

/** A code as the app shows it: `ERR_` and capitals (anything else is not one of ours). */
export function isCodeLike(code: unknown): code is string {
  return typeof code === 'string' && /^ERR_[A-Z_]{1,40}$/.test(code);
}

/** A reason a message exists for, with this code (else undefined: the code's message is shown). */
export function knownReason(code: string, reason: unknown): string | undefined {
  if (typeof reason !== 'string') return undefined;
  if (Object.hasOwn(CODE_REASON_MESSAGES[code] ?? {}, reason)) return reason;
  const refusal = (USER_ERROR_CODES as ReadonlySet<string>).has(code) && Object.hasOwn(REFUSAL_MESSAGES, reason);
  return refusal ? reason : undefined;
}

/**
 * The message for a code and, when the strategy gave one, the reason: the reason's message when
 * there is one for this code, else the code's, else the generic one.
 */
export function errorMessage(code: string, reason: string | undefined, lang: Lang): string {
  const known = knownReason(code, reason);
  if (known !== undefined) return (CODE_REASON_MESSAGES[code]?.[known] ?? REFUSAL_MESSAGES[known])[lang];
  return (Object.hasOwn(CODE_MESSAGES, code) ? CODE_MESSAGES[code] : CODE_MESSAGES.ERR_INTERNAL)[lang];
}

/** The HTTP status the error page answers for a code. */
export function statusOf(code: string): number {
  return (DEFAULT_STATUS as Readonly<Record<string, number>>)[code] ?? DEMO_STATUS[code] ?? 500;
}
