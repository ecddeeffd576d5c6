import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

export interface AppBundle {
  app: string;
  /** Every JS and CSS file the app can load: entry, its imports, and what it imports on demand. */
  files: string[];
  /** All of the app's JS (the LIFF SDK, loaded on demand, included). */
  jsBytes: number;
  jsGzipBytes: number;
  /** The JS the page loads before its first render (entry and static imports). */
  initialJsGzipBytes: number;
  cssBytes: number;
  cssGzipBytes: number;
}

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

/** A built mini-app's files, from Vite's manifest, with their sizes raw and gzipped (level 9). */
export async function appBundle(buildDir: string, app: string): Promise<AppBundle> {
  const manifest = JSON.parse(await readFile(`${buildDir}/.vite/${app}.json`, 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const initial = new Set<string>();
  const all = new Set<string>();
  const visit = (key: string, eager: boolean) => {
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not in the build's manifest`);
    if (all.has(chunk.file) && (!eager || initial.has(chunk.file))) return;
    all.add(chunk.file);
    if (eager) initial.add(chunk.file);
    for (const css of chunk.css ?? []) {
      all.add(css);
      if (eager) initial.add(css);
    }
    for (const k of chunk.imports ?? []) visit(k, eager);
    for (const k of chunk.dynamicImports ?? []) visit(k, false);
  };
  visit(`${app}.html`, true);

  const bundle: AppBundle = {
    app,
    files: [...all],
    jsBytes: 0,
    jsGzipBytes: 0,
    initialJsGzipBytes: 0,
    cssBytes: 0,
    cssGzipBytes: 0,
  };
  for (const file of all) {
    const body = await readFile(`${buildDir}/${file}`);
    const gz = gzipSync(body, { level: 9 }).length;
    if (file.endsWith('.js')) {
      bundle.jsBytes += body.length;
      bundle.jsGzipBytes += gz;
      if (initial.has(file)) bundle.initialJsGzipBytes += gz;
    } else if (file.endsWith('.css')) {
      bundle.cssBytes += body.length;
      bundle.cssGzipBytes += gz;
    }
  }
  return bundle;
}

/** Text that only @line/liff-mock (or the code loading it) carries. */
export const MOCK_MARKERS = ['LiffMockPlugin', '$mock', 'liff-mock', 'kizunaLiffMock'];
