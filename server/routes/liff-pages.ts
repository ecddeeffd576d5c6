import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { botIdSchema } from '../../crm/bot.ts';
import { FormRepository } from '../../db/forms.ts';
import { AppError, notFound } from '../errors.ts';

/**
 * The LIFF mini-apps' pages and assets, as Vite built them (see vite.config.ts):
 *
 * - `GET /liff/{botId}/identity` and `/liff/{botId}/purchases`: the app's HTML with the page's
 *   config (`{ botId, liffId, lang }`, and the identity form's definition as `form`) injected, its
 *   style sheet and small first script inlined, gzipped; never cached, so a new build reaches
 *   phones at once.
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

const compressible = new Set(['js', 'css', 'map', 'svg']);
// Hashed names never change content: each file is compressed once per process.
const gzipped = new Map<string, Uint8Array>();

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(bytes)])
    .stream()
    .pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface LiffPagesOptions {
  /** The folder holding `dist/` and `dist-dev/` (default: this checkout's liff/). */
  dir?: string;
}

export function liffPageRoutes(options: LiffPagesOptions = {}) {
  const dir = options.dir ?? defaultDir();
  const app = new Hono<AppEnv>();

  const serveAsset = (build: 'dist' | 'dist-dev') =>
    app.get(`${build === 'dist' ? '/liff' : '/liff/dev'}/assets/:name`, async (c, next) => {
      const name = c.req.param('name');
      // No extension: not a file but an app of a bot named "assets" (`/liff/assets/identity`).
      if (!name.includes('.')) return next();
      if (!assetName.test(name) || name.startsWith('.')) throw notFound('asset');
      const ext = name.slice(name.lastIndexOf('.') + 1);
      const headers: Record<string, string> = {
        'content-type': contentTypes[ext] ?? 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
      };
      // Text is sent gzipped (a third of the bytes, on a phone network most of the wait).
      if (compressible.has(ext) && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
        const key = `${build}/${name}`;
        let gz = gzipped.get(key);
        if (!gz) {
          const body = await readBuild(dir, build, `assets/${name}`);
          if (body === undefined) throw notFound('asset');
          gz = await gzip(body);
          gzipped.set(key, gz);
        }
        return c.body(new Uint8Array(gz), 200, {
          ...headers,
          'content-encoding': 'gzip',
          vary: 'accept-encoding',
        });
      }
      const body = await readBuild(dir, build, `assets/${name}`);
      if (body === undefined) throw notFound('asset');
      return c.body(new Uint8Array(body), 200, { ...headers, vary: 'accept-encoding' });
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
    // The identity form's definition comes inside the page: no request to wait for before it shows.
    const form =
      appName === 'identity'
        ? await new FormRepository(c.var.deps.db.kysely).get(bot.id, 'identity')
        : undefined;
    const { tags: _tags, ...shownForm } = form ?? { tags: undefined };
    const config = {
      botId: bot.id,
      liffId: bot.liffId,
      lang,
      ...(form ? { form: shownForm } : {}),
    };
    const assets = build === 'dist' ? '/liff/assets/' : '/liff/dev/assets/';
    const head = [
      // The inlined script's imports (the LIFF SDK chunk) resolve against the assets folder.
      `<base href="${assets}">`,
      // JSON inside <script>: `<` escaped so no value can close the tag.
      `<script type="application/json" id="kizuna-config">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>`,
    ].join('\n    ');
    let page = new TextDecoder()
      .decode(html)
      .replace('<!--kizuna-head-->', head)
      .replace('<html lang="ja">', `<html lang="${lang}">`);
    page = await inlineAssets(page, dir, build);
    c.header('cache-control', 'no-store');
    c.header('vary', 'accept-encoding');
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('content-type', 'text/html; charset=UTF-8');
      c.header('content-encoding', 'gzip');
      return c.body(new Uint8Array(await gzip(new TextEncoder().encode(page))), 200);
    }
    return c.html(page, 200);
  });

  return app;
}

// Hashed file names never change content: a file read once is kept.
const inlined = new Map<string, string>();
const stylesheetLink =
  /<link rel="stylesheet" crossorigin href="\/liff\/(?:dev\/)?assets\/([\w.-]+\.css)">/g;
const entryScript =
  /<script type="module" crossorigin src="\/liff\/(?:dev\/)?assets\/([\w.-]+\.js)"><\/script>/g;
/** Larger first scripts stay files of their own (the purchase history's carries the LIFF SDK). */
const INLINE_SCRIPT_MAX = 48 * 1024;

/**
 * The style sheet and a small first script go into the page itself: on a phone network each
 * request costs a round trip (over half a second on 3G), and each would hold the form back by one.
 */
async function inlineAssets(page: string, dir: string, build: 'dist' | 'dist-dev') {
  const read = async (name: string, closing: RegExp, escaped: string) => {
    const key = `${build}/${name}`;
    let text = inlined.get(key);
    if (text === undefined) {
      const bytes = await readBuild(dir, build, `assets/${name}`);
      if (bytes === undefined) return undefined;
      text = new TextDecoder().decode(bytes).replace(closing, escaped);
      inlined.set(key, text);
    }
    return text;
  };
  for (const match of page.matchAll(stylesheetLink)) {
    const css = await read(match[1]!, /<\/style/gi, '<\\/style');
    if (css !== undefined) page = page.replace(match[0], () => `<style>${css}</style>`);
  }
  for (const match of page.matchAll(entryScript)) {
    // `<\/script` means the same inside JS strings and regular expressions, and cannot close the tag.
    const js = await read(match[1]!, /<\/script/gi, '<\\/script');
    if (js !== undefined && js.length <= INLINE_SCRIPT_MAX)
      page = page.replace(match[0], () => `<script type="module">${js}</script>`);
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
