import type { RichMenuDefinition } from '../crm/rich-menu.ts';

/** Types a definition file's menu; richMenuSetSchema checks LINE's limits when the set is loaded. */
export const defineRichMenu = (menu: RichMenuDefinition): RichMenuDefinition => menu;

/** A row of `n` equal areas across `width`, starting at `y`: most menus are grids. */
export function row(width: number, y: number, height: number, n: number) {
  const w = Math.floor(width / n);
  return Array.from({ length: n }, (_, i) => ({
    x: i * w,
    y,
    // The last cell takes the remainder so the row ends exactly at the menu's edge.
    width: i === n - 1 ? width - i * w : w,
    height,
  }));
}
