/**
 * The server's answers (internal/api/callback/callback.go): `{ code, msg }` for an error with the
 * code's HTTP status (code.go, ./data.ts), `{ code: 0, data }` for a success, written as c.JSON does.
 */
import type { Response } from 'express';
import { NCUOS_CODES, type CodeName } from './data';
import { goJson } from './gin';

/** callback.Error (msg as in code.go) / callback.ErrorWithTip (msg replaced by the tip). */
export const send = (res: Response, name: CodeName, tip?: string) => {
  const [code, status, msg] = NCUOS_CODES[name];
  goJson(res, status, { code, msg: tip ?? msg });
};
/** callback.Success / callback.Default: `msg` omitted, `data` omitted when nil. */
export const ok = (res: Response, data?: unknown) => goJson(res, 200, data === undefined ? { code: 0 } : { code: 0, data });
