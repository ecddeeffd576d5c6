import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The LIFF mini-apps (liff/): one entry per app. `vite build` makes the production build in
 * liff/dist, served at /liff/assets/; `vite build --mode development` makes the build that carries
 * @line/liff-mock (for `?liffMock=1` outside LINE) in liff/dist-dev, served at /liff/dev/assets/.
 */
export default defineConfig(({ mode }) => {
  const dev = mode !== 'production';
  const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
  return {
    root: here('./liff'),
    base: dev ? '/liff/dev/' : '/liff/',
    // Vite reads the root's .env files; the mini-apps have none.
    envDir: false,
    publicDir: false,
    resolve: {
      alias: {
        '#liff-mock': here(dev ? './liff/src/liff-mock-on.ts' : './liff/src/liff-mock-off.ts'),
      },
    },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: here(dev ? './liff/dist-dev' : './liff/dist'),
      emptyOutDir: true,
      target: 'es2020',
      minify: !dev,
      sourcemap: dev,
      reportCompressedSize: false,
      rolldownOptions: {
        input: { identity: here('./liff/identity.html'), purchases: here('./liff/purchases.html') },
        // What both apps share (Preact, LIFF) in one chunk; named for what it is.
        output: { chunkFileNames: 'assets/shared-[hash].js' },
      },
    },
  };
});
