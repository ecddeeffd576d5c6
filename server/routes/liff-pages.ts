import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { botIdSchema } from '../../crm/bot.ts';
import { AppError, notFound } from '../errors.ts';

/**
 * The LIFF mini-apps' pages and assets, as Vite built them (see vite.config.ts):
 *
 * - `GET /liff/{botId}/identity` and `/liff/{botId}/purchases`: the app's HTML with the page's
 *   config (`{ botId, liffId, lang }`) injected; never cached, so a new build reaches phones at once.
 * - `GET /liff/assets/*`: hashed files, cached for a year.
 * - `?liffMock=1` pages come from the development build (liff/dist-dev, `/liff/dev/assets/*`), which
 *   carries @line/liff-mock, when one was built; a production install never builds it.
 */
const apps = ['identity', 'purchases'] as const;
type LiffApp = (typeof apps)[number];
const assetName = /^[\w.-]+$/;
const contentTypes: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

export interface LiffPagesOptions {
  /** The folder holding `dist/` and `dist-dev/` (default: this checkout's liff/). */
  dir?: string;
}

export function liffPageRoutes(options: LiffPagesOptions = {}) {
  const dir = options.dir ?? defaultDir();
  const app = new Hono<AppEnv>();

  const serveAsset = (build: 'dist' | 'dist-dev') =>
    app.get(`${build === 'dist' ? '/liff' : '/liff/dev'}/assets/:name`, async (c) => {
      const name = c.req.param('name');
      if (!assetName.test(name) || name.startsWith('.')) throw notFound('asset');
      const body = await readBuild(dir, build, `assets/${name}`);
      if (body === undefined) throw notFound('asset');
      const type = contentTypes[name.slice(name.lastIndexOf('.') + 1)];
      return c.body(new Uint8Array(body), 200, {
        'content-type': type ?? 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
      });
    });
  serveAsset('dist');
  serveAsset('dist-dev');

  app.get('/liff/:botId/:app', async (c) => {
    const appName = c.req.param('app') as LiffApp;
    if (!apps.includes(appName)) throw notFound('LIFF app');
    const botId = botIdSchema.safeParse(c.req.param('botId'));
    if (!botId.success) throw notFound('bot');
    const bot = await c.var.deps.bots.get(botId.data);
    if (!bot) throw notFound('bot');

    const mock = c.req.query('liffMock') === '1';
    let build: 'dist' | 'dist-dev' = 'dist';
    let html = mock ? await readBuild(dir, 'dist-dev', `${appName}.html`) : undefined;
    if (html) build = 'dist-dev';
    else html = await readBuild(dir, 'dist', `${appName}.html`);
    if (html === undefined)
      throw new AppError(
        503,
        'liff_not_built',
        'the LIFF apps are not built: run npm run build:liff',
      );

    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'));
    const config = { botId: bot.id, liffId: bot.liffId, lang };
    const head = [
      // JSON inside <script>: `<` escaped so no value can close the tag.
      `<script type="application/json" id="kizuna-config">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>`,
      // The identity form's definition is fetched at once, in parallel with the app's scripts.
      ...(appName === 'identity'
        ? [`<link rel="preload" as="fetch" crossorigin href="/api/liff/${bot.id}/forms/identity">`]
        : []),
    ].join('\n    ');
    let page = new TextDecoder()
      .decode(html)
      .replace('<!--kizuna-head-->', head)
      .replace('<html lang="ja">', `<html lang="${lang}">`);
    page = await inlineStyles(page, dir, build);
    return c.html(page, 200, { 'cache-control': 'no-store' });
  });

  return app;
}

// Hashed file names never change content: a style sheet read once is kept.
const styles = new Map<string, string>();
const stylesheetLink =
  /<link rel="stylesheet" crossorigin href="\/liff\/(?:dev\/)?assets\/([\w.-]+\.css)">/g;

/**
 * The style sheet goes into the page itself (it is about 1 KB gzipped): on a phone network each
 * request costs a round trip, and a linked sheet would hold the first paint for one more.
 */
async function inlineStyles(page: string, dir: string, build: 'dist' | 'dist-dev') {
  for (const match of page.matchAll(stylesheetLink)) {
    const key = `${build}/${match[1]}`;
    let css = styles.get(key);
    if (css === undefined) {
      const bytes = await readBuild(dir, build, `assets/${match[1]}`);
      if (bytes === undefined) continue;
      css = new TextDecoder().decode(bytes).replace(/<\/style/gi, '<\\/style');
      styles.set(key, css);
    }
    page = page.replace(match[0], `<style>${css}</style>`);
  }
  return page;
}

function pickLang(asked: string | undefined, acceptLanguage: string | undefined): 'ja' | 'en' {
  if (asked === 'ja' || asked === 'en') return asked;
  // Japanese first: English only when the browser puts it before Japanese.
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().toLowerCase();
    if (tag.startsWith('ja')) return 'ja';
    if (tag.startsWith('en')) return 'en';
  }
  return 'ja';
}

function defaultDir(): string {
  try {
    return fileURLToPath(new URL('../../liff/', import.meta.url));
  } catch {
    return './liff/'; // a bundle without a file URL (Workers): no build to read anyway
  }
}

/** A file of a build, or undefined when absent (node:fs is imported lazily: Workers have none). */
async function readBuild(
  dir: string,
  build: string,
  file: string,
): Promise<Uint8Array | undefined> {
  try {
    const { readFile } = await import('node:fs/promises');
    return await readFile(`${dir}${build}/${file}`);
  } catch {
    return undefined;
  }
}
