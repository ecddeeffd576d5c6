/**
 * `npm run bench -- liff`: the LIFF mini-apps as a phone gets them. The production build's sizes
 * (JS and CSS, gzipped: all each app loads, LIFF SDK included, and what comes before the first
 * render), then the
 * identity form in Debian's Chromium at 320 px with the CPU slowed 4× and DevTools' "Fast 3G"
 * network (562.5 ms round trips, 1.44 Mbit/s down): time to the first paint and until the form
 * is interactive (the phone field is painted and takes focus; typing into it is then checked),
 * the median of BENCH_LIFF_RUNS (default 5) cold loads. Requests to LINE's own servers (the SDK's,
 * outside LINE) are refused and counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { buildLiff, launchChromium } from '../test/browser/browser.ts';
import { appBundle } from '../test/browser/bundle.ts';
import { freePort, spawnKizuna, waitHealthy } from '../test/helpers/server-process.ts';
import { report } from './lib/load.ts';

const KB = 1024;
const FAST_3G = { latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 };

/**
 * Runs in the page before its own scripts: notes when the phone field exists, is enabled and takes
 * focus. A string, not a function: tsx would wrap a function's inner ones in a helper the page
 * does not have.
 */
const MARK_INTERACTIVE = `
  const mark = () => {
    const field = document.querySelector('input[type=tel]');
    if (!field || field.disabled) return false;
    field.focus();
    if (document.activeElement !== field) return false;
    window.interactiveAt = performance.now();
    return true;
  };
  new MutationObserver((_m, observer) => mark() && observer.disconnect())
    .observe(document, { childList: true, subtree: true });
`;

export async function benchLiff(): Promise<boolean> {
  let ok = true;
  // The production build `npm start` serves, made the same way.
  await buildLiff('production');
  const dist = new URL('../liff/dist', import.meta.url).pathname;
  for (const app of ['identity', 'purchases']) {
    const b = await appBundle(dist, app);
    const js = b.jsGzipBytes;
    ok = report('liff', `${app}_js_gzip`, js / KB, 'KB', '≤80KB', js <= 80 * KB) && ok;
    // What must arrive before the first render (the identity form loads the LIFF SDK after it).
    report('liff', `${app}_initial_js_gzip`, b.initialJsGzipBytes / KB, 'KB', 'info', true);
    const css = b.cssGzipBytes;
    ok = report('liff', `${app}_css_gzip`, css / KB, 'KB', '≤10KB', css <= 10 * KB) && ok;
  }

  const dataDir = await mkdtemp(`${tmpdir()}/kizuna-bench-liff-`);
  const port = await freePort();
  const server = spawnKizuna({
    PORT: String(port),
    KIZUNA_DATA_DIR: dataDir,
    KIZUNA_LOG_LEVEL: 'warn',
    LINE_CHANNEL_ID: '2000000001',
    LIFF_ID: '1650000001-AbcdEfgh',
    LINE_LOGIN_CHANNEL_ID: '1650000001',
  });
  const browser = await launchChromium();
  try {
    await waitHealthy(server, 60_000);
    const url = `${server.url}/liff/default/identity`;
    const runs = Number(process.env.BENCH_LIFF_RUNS ?? '5');
    const paints: number[] = [];
    const contentful: number[] = [];
    const interactive: number[] = [];
    let external = 0;
    for (let i = 0; i < runs; i++) {
      // A new context per load: nothing cached, as on a shopper's first open.
      const context = await browser.newContext({
        viewport: { width: 320, height: 640 },
        deviceScaleFactor: 2,
        isMobile: true,
        locale: 'ja-JP',
      });
      const page = await context.newPage();
      // Outside LINE the LIFF SDK may call LINE's servers; they are not part of our page's cost.
      await page.route(
        (u) => u.hostname !== '127.0.0.1',
        (route) => {
          external++;
          return route.abort();
        },
      );
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', { offline: false, ...FAST_3G });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      // The moment the phone field exists and takes focus, from the navigation's start.
      await page.addInitScript(MARK_INTERACTIVE);
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForFunction(() => 'interactiveAt' in window, null, { timeout: 30_000 });
      const timing = await page.evaluate(() => ({
        paint: performance.getEntriesByName('first-paint')[0]?.startTime ?? Number.NaN,
        contentful:
          performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
        interactive: (window as unknown as { interactiveAt: number }).interactiveAt,
      }));
      // The field takes what is typed (a phone's first tap works).
      await page.locator('input[type=tel]').pressSequentially('090');
      if ((await page.locator('input[type=tel]').inputValue()) !== '090')
        throw new Error('the phone field did not take typing');
      if (process.env.BENCH_LIFF_DEBUG)
        console.log(
          JSON.stringify(
            await page.evaluate(() =>
              performance
                .getEntries()
                .map((e) => [
                  e.entryType,
                  e.name.slice(-40),
                  Math.round(e.startTime),
                  Math.round((e as PerformanceResourceTiming).responseEnd ?? e.duration),
                ]),
            ),
          ),
        );
      paints.push(timing.paint);
      contentful.push(timing.contentful);
      // Interactive once the field takes focus and the shopper can see it.
      interactive.push(Math.max(timing.interactive, timing.contentful));
      await context.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const fp = Math.round(median(paints));
    const tti = Math.round(median(interactive));
    ok = report('liff', 'identity_first_paint', fp, 'ms', '≤1000ms', fp <= 1000) && ok;
    // The form itself: it arrives with the first contentful paint (the page has no loading state
    // to show first, its script being inside it).
    const fcp = Math.round(median(contentful));
    report('liff', 'identity_first_contentful_paint', fcp, 'ms', 'info', true);
    ok = report('liff', 'identity_interactive', tti, 'ms', '≤1500ms', tti <= 1500) && ok;
    if (external > 0) console.log(`liff note: ${external} requests to LINE's servers were refused`);
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
  return ok;
}
