import type { LineRichMenuRequest } from '../bot/line-port.ts';
import type { RichMenuDefinition } from '../crm/rich-menu.ts';

/** Every menu Kizuna puts on LINE is named `kizuna:<definition>:<hash>`; others are left alone. */
const PREFIX = 'kizuna:';

export const lineName = (name: string, hash: string) => `${PREFIX}${name}:${hash}`;
export const isOurs = (lineMenuName: string) => lineMenuName.startsWith(PREFIX);

/** The create body of a definition, without its LINE name (which carries the hash of this). */
export function toLineRequest(def: RichMenuDefinition): Omit<LineRichMenuRequest, 'name'> {
  return {
    size: { width: def.size.width, height: def.size.height },
    selected: def.selected,
    chatBarText: def.chatBarText,
    areas: def.areas.map((a) => ({ bounds: { ...a.bounds }, action: { ...a.action } })),
  };
}

/**
 * What makes a LINE menu: its body and its image. LINE cannot change either after creation, so
 * a different hash means a new menu. 16 hex digits of SHA-256 keep the name short.
 */
export async function contentHash(
  request: Omit<LineRichMenuRequest, 'name'>,
  image: Uint8Array,
): Promise<string> {
  const body = new TextEncoder().encode(JSON.stringify(request));
  const all = new Uint8Array(body.byteLength + 1 + image.byteLength);
  all.set(body, 0);
  all.set(image, body.byteLength + 1);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}
