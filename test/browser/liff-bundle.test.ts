// The production build of the LIFF mini-apps: no LIFF mock in it, and small enough for a phone.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLiff, launchChromium } from './browser.ts';
import { appBundle, MOCK_MARKERS } from './bundle.ts';

let outDir: string;

beforeAll(async () => {
  // Its own folder: liff/dist is what `npm start` serves, and may be in use.
  outDir = await mkdtemp(`${tmpdir()}/kizuna-liff-`);
  await buildLiff('production', outDir);
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('production build of the LIFF apps', () => {
  it('does not contain @line/liff-mock, whatever the query says', async () => {
    const files = await readdir(`${outDir}/assets`);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    for (const file of files) {
      const text = await readFile(`${outDir}/assets/${file}`, 'utf8');
      for (const marker of MOCK_MARKERS)
        expect(text, `${file} contains ${marker}`).not.toContain(marker);
    }
  });

  it('keeps the identity form within 80 KB of JS gzipped, LIFF included', async () => {
    const identity = await appBundle(outDir, 'identity');
    expect(identity.files.some((f) => f.endsWith('.css'))).toBe(true);
    // The LIFF SDK is in the total: it loads on demand, but it does load.
    expect(identity.files.length).toBeGreaterThan(2);
    expect(identity.jsGzipBytes).toBeGreaterThan(20 * 1024);
    expect(identity.initialJsGzipBytes).toBeLessThan(identity.jsGzipBytes);
    expect(identity.jsGzipBytes).toBeLessThanOrEqual(80 * 1024);
    const purchases = await appBundle(outDir, 'purchases');
    expect(purchases.jsGzipBytes).toBeLessThanOrEqual(80 * 1024);
  });

  it('leaves the page config to the server: a marker where it goes', async () => {
    for (const app of ['identity', 'purchases']) {
      const html = await readFile(`${outDir}/${app}.html`, 'utf8');
      expect(html).toContain('<!--kizuna-head-->');
      expect(html).not.toContain('/liff/dev/');
    }
  });
});

describe('the browser tests without Chromium', () => {
  it('fail saying how to install it, rather than skipping', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /Chromium not found at \/nonexistent\/chromium.*apt-get install -y chromium/,
    );
  });
});
