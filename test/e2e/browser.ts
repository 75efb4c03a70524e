/**
 * Browser tests: the built web UI served by the real API, driven in headless
 * Chromium (Debian's package, installed here when missing) through playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../config';

export const SHOTS = path.join(PROJECT_ROOT, 'test-output', 'e2e');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium executable: CHROMIUM_PATH, one on the machine, or Debian's package installed now. */
export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', '--no-install-recommends', 'chromium']);
  } catch {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  const installed = CANDIDATES.find((p) => existsSync(p));
  if (!installed) throw new Error('chromium is not installed and `apt-get install chromium` did not install it');
  return installed;
}

/**
 * A font with Chinese characters, so screenshots of zh-CN pages are legible: Debian's
 * small WenQuanYi Micro Hei, installed when no such font is there. Best effort: the
 * tests read the page's text, not its pixels.
 */
export function ensureCjkFont(): void {
  try {
    if (execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '') return;
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'fonts-wqy-microhei'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    });
  } catch {
    // no fontconfig or no package: pages still work, Chinese shows as boxes in screenshots
  }
}

/** Builds the web UI (reused when its sources did not change) in a child process, and returns its folder. */
export function buildWeb(): string {
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const out = execFileSync(tsx, [path.join(PROJECT_ROOT, 'scripts', 'build-web.ts')], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const dir = out.trim().split('\n').at(-1)!;
  if (!existsSync(path.join(dir, 'index.html'))) throw new Error(`the web build did not produce ${dir}/index.html`);
  return dir;
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  ensureCjkFont();
  // playwright gives the browser a fresh profile folder of its own (and removes it on close).
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 120_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/**
 * Content-Security-Policy violations reported by any page opened with `newPage`: the
 * browser's own console errors ("Refused to …") and `securitypolicyviolation` events.
 */
export const cspViolations: string[] = [];

/** A page of a fresh browser context (its own session storage: one signed-in user). */
export async function newPage(b: TestBrowser, options: { locale?: string } = {}): Promise<Page> {
  const context = await b.browser.newContext({
    viewport: { width: 1400, height: 1000 },
    locale: options.locale ?? 'en-GB',
    acceptDownloads: true,
  });
  // A string: it runs in the page, where `document` exists.
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) =>
    console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|CSP violation/i.test(message.text())) {
      cspViolations.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.setDefaultTimeout(30_000);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Opens the UI and signs in with a token. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: /sign in|登录/i }).click();
  await page.locator('[data-testid=who]').waitFor();
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * Screenshots the page at desktop and phone sizes (the whole page, and the first screen at full
 * resolution), and checks that neither scrolls sideways; leaves the page at desktop size.
 */
export async function shotsAtBothSizes(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await screenshot(page, `${name}-${size}`);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${size}-first-screen.png`) });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect({ page: `${name}-${size}`, overflow }).toEqual({ page: `${name}-${size}`, overflow: 0 });
  }
  await page.setViewportSize(DESKTOP);
}
