import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../helpers/server-process.ts';

/** Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it when missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium, or fails the suite saying how to get it: never a silent skip. */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: the browser tests need it. ` +
        'Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).',
    );
  }
  return chromium.launch({ executablePath, headless: true });
}

/**
 * Builds the LIFF apps with Vite in its own process: `development` (with the LIFF mock) into
 * liff/dist-dev, or `production` into `outDir` (default liff/dist).
 */
export async function buildLiff(
  mode: 'development' | 'production',
  outDir?: string,
): Promise<void> {
  // One app per build (see vite.config.ts); the first empties the folder.
  for (const app of ['identity', 'purchases']) {
    const args = ['node_modules/vite/bin/vite.js', 'build', '--mode', mode, '--logLevel', 'warn'];
    if (outDir) args.push('--outDir', outDir);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        cwd: projectRoot,
        env: { ...process.env, KIZUNA_LIFF_APP: app },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`vite build (${mode}, ${app}) failed:\n${output}`)),
      );
    });
  }
}

/** The newest modification time among the files a LIFF build is made from. */
async function sourcesTime(): Promise<number> {
  const files = [`${projectRoot}vite.config.ts`, `${projectRoot}package-lock.json`];
  for (const entry of await readdir(`${projectRoot}liff`, {
    recursive: true,
    withFileTypes: true,
  })) {
    const path = `${entry.parentPath}/${entry.name}`;
    if (entry.isFile() && !/\/dist(-dev)?\//.test(`${path}`)) files.push(path);
  }
  const times = await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs));
  return Math.max(...times);
}

/**
 * Makes sure liff/dist-dev (the build with the LIFF mock, which the server serves for
 * `?liffMock=1`) is built from the current sources. Test files may run at once: a lock directory
 * lets one build while the others wait, and a stamp lets them skip a build that is up to date.
 */
export async function ensureDevBuild(): Promise<void> {
  const lock = `${projectRoot}liff/.build-lock`;
  const stamp = `${projectRoot}liff/dist-dev/.built-from`;
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (Date.now() - started > 120_000) throw new Error(`LIFF build lock held too long: ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const sources = await sourcesTime();
    const built = await readFile(stamp, 'utf8').catch(() => '');
    if (built === String(sources)) return;
    await buildLiff('development');
    await writeFile(stamp, String(sources));
  } finally {
    await rmdir(lock);
  }
}

/** Where screenshots of each state go (git-ignored test artifacts). */
export const ARTIFACTS = `${projectRoot}test-results/liff`;

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/** A phone-sized page (320 px wide, the narrowest LINE runs on) with the LIFF mock's answers. */
export async function phonePage(
  browser: Browser,
  mock: { getIDToken?: string | null; getLanguage?: string; isInClient?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 320, height: 640 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  });
  await context.addInitScript((values) => {
    (window as unknown as { kizunaLiffMock: unknown }).kizunaLiffMock = values;
  }, mock);
  // Shorter than the test's own timeout, so a missing element names itself.
  context.setDefaultTimeout(10_000);
  return context.newPage();
}

/** True when nothing on the page is wider than the viewport (no sideways scrolling). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}
