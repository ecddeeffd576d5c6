import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';
import type { RichMenuDefinition } from '../crm/rich-menu.ts';
import { richMenus } from './index.ts';

/**
 * Draws placeholder images for the menus in index.ts (`node --import tsx
 * rich-menus/draw-assets.ts`): each area a flat colour with a border, the menu's own tab lit.
 * Shops replace them with designed images of the same pixel size. Flat colours deflate to a few
 * kilobytes, far under LINE's 1 MB.
 */
const PALETTE: Array<[number, number, number]> = [
  [6, 199, 85],
  [0, 150, 136],
  [255, 152, 0],
  [233, 30, 99],
  [63, 81, 181],
  [121, 85, 72],
];
const BORDER: [number, number, number] = [255, 255, 255];

export function drawMenu(def: RichMenuDefinition): Uint8Array {
  const { width, height } = def.size;
  const pixels = new Uint8Array(width * height * 3);
  def.areas.forEach(({ bounds: b, action }, i) => {
    let colour = PALETTE[i % PALETTE.length]!;
    if (action.type === 'richmenuswitch')
      colour = action.richMenuAliasId === def.alias ? [250, 250, 250] : [90, 90, 90];
    for (let y = b.y; y < b.y + b.height; y++) {
      for (let x = b.x; x < b.x + b.width; x++) {
        const edge =
          x - b.x < 6 || b.x + b.width - x <= 6 || y - b.y < 6 || b.y + b.height - y <= 6;
        pixels.set(edge ? BORDER : colour, (y * width + x) * 3);
      }
    }
  });
  return encode({ width, height, data: pixels, channels: 3, depth: 8 });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const def of richMenus) {
    const file = new URL(`./assets/${def.image}`, import.meta.url);
    writeFileSync(file, drawMenu(def));
    console.log(`drew ${def.image} (${def.size.width}×${def.size.height})`);
  }
}
