// Compile-time check (run by `pnpm typecheck`): every strategy types an inline verify's parameters
// from passReqToCallback, with no annotation — under noImplicitAny this file would not compile
// otherwise. At run time it checks the strategies construct and carry their names.
import { DisabledAidStrategy } from '@campus-passport/disabled-aid';
import { HduHelpStrategy } from '@campus-passport/hduhelp';
import { NcuosStrategy } from '@campus-passport/ncuos';
import { ZafuStrategy } from '@campus-passport/zafu';
import { ZiqiangStrategy } from '@campus-passport/ziqiang';

describe('typed verify for every strategy', () => {
  it('infers credentials and profile (and req with passReqToCallback)', () => {
    const all = [
      new HduHelpStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb' }, async (creds, profile) => ({
        id: profile.staffId ?? profile.id,
        t: creds.accessToken,
      })),
      new ZiqiangStrategy({ appKey: 'k', appSecret: 's', passReqToCallback: true }, async (req, creds, profile) => ({
        u: creds.unionId,
        n: profile.studentId,
        m: req.method,
        ip: req.ip, // the app's Express request, not core's minimal one
        s: req.session,
      })),
      new NcuosStrategy(
        { appCode: 'a', appSecret: 's', payload: (req) => req.get('user-agent')?.slice(0, 32) ?? '' },
        (creds, profile, done) => done(null, { id: profile.id, t: creds.loginToken }),
      ),
      new DisabledAidStrategy({ baseURL: 'http://127.0.0.1:9/x' }, async (creds, profile) => ({
        s: creds.stoken,
        a: profile.areaCode,
      })),
      new ZafuStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb' }, async (_creds, profile) => ({ x: profile.xgh })),
    ];
    expect(all.map((s) => s.name)).toEqual(['hduhelp', 'ziqiang', 'ncuos', 'disabled-aid', 'zafu']);
  });
});
