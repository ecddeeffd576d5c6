import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const APPS = ['identity', 'purchases'] as const;

/**
 * The LIFF mini-apps (liff/), built one app at a time (`npm run build:liff` builds both): each
 * page's first script is then self-contained, so the server can put it inside the page and a phone
 * needs one round trip, not two, before the form works. The LIFF SDK follows as its own chunk.
 *
 * `vite build` makes the production build in liff/dist, served at /liff/assets/; `--mode
 * development` makes the build carrying @line/liff-mock (for `?liffMock=1` outside LINE) in
 * liff/dist-dev, served at /liff/dev/assets/. KIZUNA_LIFF_APP picks the app (default identity,
 * which also empties the folder).
 */
export default defineConfig(({ mode }) => {
  const dev = mode !== 'production';
  const app = process.env.KIZUNA_LIFF_APP ?? 'identity';
  if (!(APPS as readonly string[]).includes(app))
    throw new Error(`KIZUNA_LIFF_APP: one of ${APPS.join(', ')}`);
  const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
  return {
    root: here('./liff'),
    base: dev ? '/liff/dev/' : '/liff/',
    // Vite reads the root's .env files; the mini-apps have none.
    envDir: false,
    publicDir: false,
    resolve: {
      alias: {
        // Resolved here, not at run time, so a production bundle cannot carry the mock.
        '#liff-mock': here(dev ? './liff/src/liff-mock-on.ts' : './liff/src/liff-mock-off.ts'),
      },
    },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: here(dev ? './liff/dist-dev' : './liff/dist'),
      emptyOutDir: app === APPS[0],
      target: 'es2020',
      minify: !dev,
      sourcemap: dev,
      reportCompressedSize: false,
      // What each page loads, up front and on demand: the size test and benchmark read it.
      manifest: `.vite/${app}.json`,
      rolldownOptions: {
        input: { [app]: here(`./liff/${app}.html`) },
        output: { chunkFileNames: 'assets/[name]-[hash].js' },
      },
    },
  };
});
