// The guard of the HDU Helper routes. Nest's default AuthGuard answers every failed sign-in with a bare
// 401 and every error with a bare 500; this one keeps campus-passport's answer — the stable `code`, the
// message (redacted: no secret, token or code in it) and the status the strategy chose (ERR_STATE → 403,
// ERR_INVALID_CREDENTIAL → 401, ERR_PLATFORM → 502, …) — and signs the user into the session.
import { HttpException, Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { isCampusAuthError, type CampusFailInfo } from '@campus-passport/core';

@Injectable()
export class HduHelpGuard extends AuthGuard('hduhelp') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // GET /auth/hduhelp: the strategy redirects to the platform and this never resolves (the response is sent)
    const ok = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest()); // req.logIn: the user into the session
    return ok;
  }

  override handleRequest<TUser>(
    err: unknown,
    user: TUser | false,
    info: unknown,
    _context: ExecutionContext,
    status?: number,
  ): TUser {
    if (isCampusAuthError(err)) throw new HttpException({ code: err.code, message: err.message }, err.status);
    if (err) throw err; // not ours (e.g. validate threw): Nest answers a bare 500
    if (!user) {
      const fail = info as Partial<CampusFailInfo> | undefined;
      throw new HttpException({ code: fail?.code ?? 'ERR_DENIED', message: fail?.message ?? 'sign-in failed' }, status ?? 401);
    }
    return user;
  }
}
