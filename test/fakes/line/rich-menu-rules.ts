// What LINE's reference demands of a rich menu and its image beyond what messaging-api.yml
// encodes. Refusals here are spec violations: Kizuna should never send such a menu.
import { errors } from './errors.ts';
import type { ErrorDetail } from './openapi.ts';
import type { Answer } from './pipeline.ts';
import { imageSize } from './png.ts';

export interface Menu {
  richMenuId: string;
  size: { width: number; height: number };
  selected: boolean;
  name: string;
  chatBarText: string;
  areas: Array<{ bounds: { x: number; y: number; width: number; height: number } }>;
}
const MAX_IMAGE_BYTES = 1024 * 1024;

// LINE's reference requires these fields and bounds, though the OpenAPI schema marks none of
// them required: width 800–2500, height ≥ 250, width/height ≥ 1.45, ≤ 20 areas inside the menu.
export function checkMenu(m: Partial<Menu>): ErrorDetail[] {
  const d: ErrorDetail[] = [];
  for (const k of ['size', 'selected', 'name', 'chatBarText', 'areas'] as const) {
    if (m[k] === undefined) d.push({ message: 'must be specified', property: k });
  }
  const { width = 0, height = 0 } = m.size ?? {};
  if (m.size && (width < 800 || width > 2500))
    d.push({ message: 'Must be between 800 and 2500', property: 'size.width' });
  if (m.size && height < 250)
    d.push({ message: 'Must be greater than or equal to 250', property: 'size.height' });
  if (m.size && height > 0 && width / height < 1.45)
    d.push({ message: 'Aspect ratio (width / height) must be at least 1.45', property: 'size' });
  if ((m.areas?.length ?? 0) > 20)
    d.push({ message: 'Size must be between 0 and 20', property: 'areas' });
  m.areas?.forEach((a, i) => {
    const b = a.bounds;
    if (b && (b.x + b.width > width || b.y + b.height > height)) {
      d.push({ message: 'The area is out of the rich menu', property: `areas[${i}].bounds` });
    }
  });
  return d;
}

/** Image upload checks: JPEG or PNG, ≤ 1 MB, pixel size equal to the menu's `size`. */
export function checkImage(menu: Menu, raw: Uint8Array, contentType: string): Answer | undefined {
  if (contentType !== 'image/jpeg' && contentType !== 'image/png') {
    return { status: 415, body: errors.contentType(contentType || '(none)'), reason: 'spec' };
  }
  if (raw.byteLength > MAX_IMAGE_BYTES)
    return { status: 413, body: { message: 'Request Entity Too Large' }, reason: 'spec' };
  const dim = imageSize(raw);
  if (!dim || `image/${dim.type}` !== contentType) {
    return { status: 400, body: { message: 'Invalid image format' }, reason: 'spec' };
  }
  if (dim.width !== menu.size.width || dim.height !== menu.size.height) {
    return {
      status: 400,
      body: { message: "An image's size doesn't match the rich menu size" },
      reason: 'spec',
    };
  }
  return undefined;
}
