// The app: a home page that greets the signed-in user, the two HDU Helper routes behind HduHelpGuard, logout.
import { Controller, Get, Header, Injectable, Module, Post, Redirect, Req, UseGuards, type DynamicModule } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import type { Request } from 'express';
import type { HduHelpStrategyOptions } from '@campus-passport/hduhelp';
import { HDUHELP_OPTIONS, HduHelpAuthStrategy, type User } from './hduhelp.strategy';
import { HduHelpGuard } from './hduhelp.guard';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The whole user goes into the session (it is small); a real app would keep the id and load the rest. */
@Injectable()
class SessionSerializer extends PassportSerializer {
  serializeUser(user: User, done: (err: null, user: User) => void): void {
    done(null, user);
  }
  deserializeUser(user: User, done: (err: null, user: User) => void): void {
    done(null, user);
  }
}

@Controller()
class AppController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(@Req() req: Request): string {
    const user = req.user as User | undefined;
    const logout = '<form method="post" action="/logout"><button>退出登录</button></form>';
    return user ? `<p>你好，${escapeHtml(user.name)}</p>${logout}` : '<a href="/auth/hduhelp">用杭电助手登录</a>';
  }

  @Get('auth/hduhelp')
  @UseGuards(HduHelpGuard)
  login(): void {} // the guard redirects to HDU Helper

  @Get('auth/hduhelp/callback')
  @UseGuards(HduHelpGuard)
  @Redirect('/')
  callback(): void {} // signed in (or the guard answered { code, message } with its status)

  @Post('logout')
  @Redirect('/')
  logout(@Req() req: Request): Promise<void> {
    return new Promise((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
  }
}

@Module({})
export class AppModule {
  static register(options: HduHelpStrategyOptions): DynamicModule {
    return {
      module: AppModule,
      controllers: [AppController],
      providers: [{ provide: HDUHELP_OPTIONS, useValue: options }, HduHelpAuthStrategy, SessionSerializer],
    };
  }
}
