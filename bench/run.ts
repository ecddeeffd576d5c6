/**
 * `npm run bench [-- <name>]`: runs one benchmark or all of them. Each prints lines of the form
 * `<name> <metric>=<value><unit> target=<target> PASS|FAIL`. BENCH_SCALE (default 1) shrinks the data.
 */
import { benchImport } from './import.ts';
import { benchLiff } from './liff.ts';
import { benchLink } from './link.ts';
import { benchRichMenus } from './rich-menus.ts';
import { benchSegments } from './segments.ts';
import { benchWebhook } from './webhook.ts';

const benchmarks: Record<string, () => Promise<boolean>> = {
  webhook: benchWebhook,
  link: benchLink,
  import: benchImport,
  liff: benchLiff,
  'rich-menus': benchRichMenus,
  segments: benchSegments,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benchmarks);
let ok = true;
for (const name of names) {
  const run = benchmarks[name];
  if (!run) {
    console.error(
      `unknown benchmark "${name}"; known: ${Object.keys(benchmarks).join(', ') || '(none yet)'}`,
    );
    process.exit(2);
  }
  ok = (await run()) && ok;
}
if (names.length === 0) console.log('no benchmarks yet');
process.exit(ok ? 0 : 1);
