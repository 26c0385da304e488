/**
 * A real browser (Debian's Chromium driven by playwright-core) clicks through all five logins on
 * the real pages — the app's, and each emulator's — including the Ziqiang popup and the NCUOS SPA
 * token flow, checks each profile page shows the chosen user, and saves a screenshot per platform
 * under examples/express-app/test-output/.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZIQIANG_USERS } from '@campus-passport/mock-platforms/ziqiang';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { caseOf, CASES } from './support/cases';
import { startDemo, type Demo } from './support/demo';

const CHROMIUM = '/usr/bin/chromium';
// a real browser under a loaded machine (the whole suite runs in parallel): 5 s is too tight
jest.setTimeout(60_000);
const OUTPUT = join(__dirname, '..', 'test-output');
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';

/** Debian's Chromium (and a CJK font, so the screenshots show the Chinese names), installed when missing. */
function ensureChromium(): void {
  if (!existsSync(CHROMIUM)) {
    execSync(
      'apt-get -o DPkg::Lock::Timeout=600 update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium',
      { stdio: 'inherit', timeout: 15 * 60_000 },
    );
  }
  if (!existsSync(CJK_FONT)) {
    try {
      execSync(
        'apt-get -o DPkg::Lock::Timeout=600 install -y fonts-wqy-zenhei || (apt-get -o DPkg::Lock::Timeout=600 update && apt-get -o DPkg::Lock::Timeout=600 install -y fonts-wqy-zenhei)',
        {
          stdio: 'inherit',
          timeout: 10 * 60_000,
        },
      );
    } catch {
      // only the screenshots' looks depend on it
    }
  }
}

let demo: Demo;
let context: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  ensureChromium();
  mkdirSync(OUTPUT, { recursive: true });
  demo = await startDemo();
  profileDir = mkdtempSync(join(tmpdir(), 'campus-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1000, height: 800 },
    // the demo's users: a Chinese browser (English is one click away, tested below)
    locale: 'zh-CN',
  });
  context.setDefaultTimeout(20_000);
}, 20 * 60_000);

afterAll(async () => {
  await context?.close();
  await demo?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function freshPage(): Promise<Page> {
  await context.clearCookies();
  return context.newPage();
}

async function expectProfile(page: Page, platform: string, name: string): Promise<void> {
  await page.waitForURL(`${demo.url}/profile`);
  expect(await page.textContent('[data-testid="provider"]')).toBe(platform);
  expect(await page.textContent('[data-testid="display-name"]')).toContain(name);
  expect(await page.textContent('[data-testid="raw"]')).toBeTruthy();
}

async function logout(page: Page): Promise<void> {
  await page.click('main form[action="/logout"] button');
  await page.waitForURL(`${demo.url}/`);
  expect(await page.textContent('header')).toContain('未登录');
}

describe('in Chromium', () => {
  it('the home page shows the five platforms', async () => {
    const page = await freshPage();
    try {
      await page.goto(demo.url);
      for (const { platform } of CASES) expect(await page.isVisible(`[data-login="${platform}"]`)).toBe(true);
      expect(await page.isVisible('[data-popup-login="ziqiang"]')).toBe(true);
      expect(await page.isVisible('[data-spa-login="ncuos"]')).toBe(true);
      await page.screenshot({ path: join(OUTPUT, 'home.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it.each(CASES)('$platform: click login → the emulator page → pick $name → profile', async ({ platform, user, name }) => {
    const page = await freshPage();
    try {
      await page.goto(demo.url);
      await page.click(`[data-login="${platform}"]`);
      // the platform's own page (its portal, for disabled-aid)
      await page.waitForURL((u) => u.toString().startsWith(demo.emulators.get(platform)!.url));
      // the emulator says it is one: （模拟） in the title and a visible banner
      expect(await page.title()).toContain('（模拟）');
      expect(await page.isVisible('[data-mock-banner]')).toBe(true);
      await page.click(`[data-user="${user}"]`);
      await expectProfile(page, platform, name);
      await page.screenshot({ path: join(OUTPUT, `${platform}.png`), fullPage: true });
      await logout(page);
    } finally {
      await page.close();
    }
  });

  it('ziqiang popup: the login page opens in a popup, hands the code to the page, which signs in', async () => {
    const name = ZIQIANG_USERS[1].name;
    const page = await freshPage();
    try {
      await page.goto(demo.url);
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('[data-popup-login="ziqiang"]')]);
      await popup.waitForURL((u) => u.toString().startsWith(demo.emulators.get('ziqiang')!.url));
      // the popup posts the code and closes itself: listen for the close before clicking, and do not
      // let the click wait on a page that may already be gone
      const closed = popup.waitForEvent('close');
      await popup.click(`[data-user="${ZIQIANG_USERS[1].id}"]`, { noWaitAfter: true }).catch((err: unknown) => {
        if (!popup.isClosed()) throw err;
      });
      await closed;
      await expectProfile(page, 'ziqiang', name);
      await page.screenshot({ path: join(OUTPUT, 'ziqiang-popup.png'), fullPage: true });
      await logout(page);
    } finally {
      await page.close();
    }
  });

  it('ncuos SPA token flow: the callback page POSTs the token and moves on', async () => {
    const { user, name } = caseOf('ncuos');
    const page = await freshPage();
    try {
      await page.goto(demo.url);
      await page.click('[data-spa-login="ncuos"]');
      await page.waitForURL((u) => u.toString().startsWith(demo.emulators.get('ncuos')!.url));
      await page.click(`[data-user="${user}"]`);
      await expectProfile(page, 'ncuos', name);
      await page.screenshot({ path: join(OUTPUT, 'ncuos-spa.png'), fullPage: true });
      await logout(page);
    } finally {
      await page.close();
    }
  });

  it('a failed sign-in lands on a clean /error URL (no code, no state in the address bar) with its code', async () => {
    const page = await freshPage();
    try {
      await page.goto(`${demo.url}/auth/zafu/callback?code=abcdefghijklmnop&state=forged-state-123456789`);
      const url = new URL(page.url());
      expect(url.pathname).toBe('/error');
      expect(url.searchParams.get('code')).toBe('ERR_STATE');
      expect(page.url()).not.toContain('abcdefghijklmnop');
      expect(page.url()).not.toContain('forged-state');
      expect(await page.textContent('[data-testid="error-code"]')).toBe('ERR_STATE');
      expect(await page.textContent('h1')).toBe('没有登录成功');
      await page.screenshot({ path: join(OUTPUT, 'error.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('declining on the emulator page ends on the error page, ERR_DENIED, with a way to try again', async () => {
    const page = await freshPage();
    try {
      await page.goto(demo.url);
      await page.click('[data-login="hduhelp"]');
      await page.waitForURL((u) => u.toString().startsWith(demo.emulators.get('hduhelp')!.url));
      await page.click('[data-deny]');
      await page.waitForURL((u) => u.pathname === '/error');
      expect(await page.textContent('[data-testid="error-code"]')).toBe('ERR_DENIED');
      expect(new URL(page.url()).searchParams.has('error')).toBe(false);
      await page.click('[data-testid="retry"]');
      await page.waitForURL((u) => u.toString().startsWith(demo.emulators.get('hduhelp')!.url));
    } finally {
      await page.close();
    }
  });

  it('the language switch: Chinese first, English one click away, remembered', async () => {
    const page = await freshPage();
    try {
      await page.goto(demo.url);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      expect(await page.textContent('h1')).toBe('用校园平台登录');
      await page.click('[data-testid="lang-switch"]');
      await page.waitForURL(`${demo.url}/?lang=en`);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.textContent('h1')).toBe('Sign in with a campus platform');
      await page.screenshot({ path: join(OUTPUT, 'home-en.png'), fullPage: true });
      // remembered: the next page without ?lang= is in English too
      await page.goto(`${demo.url}/logout`);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.click('[data-testid="lang-switch"]');
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    } finally {
      await page.close();
    }
  });
});
