import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

export interface AppBundle {
  app: string;
  /** Every file the page loads before it runs: entry, module preloads, style sheets. */
  files: string[];
  jsBytes: number;
  jsGzipBytes: number;
  cssBytes: number;
  cssGzipBytes: number;
}

/**
 * What a built mini-app's page loads (read from its HTML, as the browser does) and its size, raw
 * and gzipped (level 9; servers and CDNs may compress a little less).
 */
export async function appBundle(buildDir: string, app: string): Promise<AppBundle> {
  const html = await readFile(`${buildDir}/${app}.html`, 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/liff\/(?:dev\/)?(assets\/[^"]+)"/g)].map(
    (m) => m[1]!,
  );
  const bundle: AppBundle = {
    app,
    files: refs,
    jsBytes: 0,
    jsGzipBytes: 0,
    cssBytes: 0,
    cssGzipBytes: 0,
  };
  for (const ref of refs) {
    const body = await readFile(`${buildDir}/${ref}`);
    const gz = gzipSync(body, { level: 9 }).length;
    if (ref.endsWith('.js')) {
      bundle.jsBytes += body.length;
      bundle.jsGzipBytes += gz;
    } else if (ref.endsWith('.css')) {
      bundle.cssBytes += body.length;
      bundle.cssGzipBytes += gz;
    }
  }
  return bundle;
}

/** Text that only @line/liff-mock (or the code loading it) carries. */
export const MOCK_MARKERS = ['LiffMockPlugin', '$mock', 'liff-mock', 'kizunaLiffMock'];
