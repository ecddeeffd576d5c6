import { imageSize } from 'image-size';
import type { RichMenuDefinition } from '../crm/rich-menu.ts';
import { RichMenuError } from './errors.ts';

/** LINE's limit on a rich-menu image (research/line-platform.md §3). */
export const MAX_IMAGE_BYTES = 1024 * 1024;

/**
 * Checks a menu's image before anything is sent, so a wrong export fails with what is wrong and
 * not as a half-created menu: PNG or JPEG by its bytes (not its file name), at most 1 MB, and
 * exactly the menu's `size` in pixels, which LINE requires.
 */
export function checkImage(def: RichMenuDefinition, bytes: Uint8Array): 'image/png' | 'image/jpeg' {
  const fail = (why: string) =>
    new RichMenuError(
      'invalid_image',
      `rich menu "${def.name}": image ${def.image} ${why}`,
      def.name,
    );
  if (bytes.byteLength > MAX_IMAGE_BYTES)
    throw fail(`is ${bytes.byteLength} bytes; LINE takes at most ${MAX_IMAGE_BYTES} (1 MB)`);
  let dim: ReturnType<typeof imageSize>;
  try {
    dim = imageSize(bytes);
  } catch {
    throw fail('is not an image LINE takes (PNG or JPEG)');
  }
  if (dim.type !== 'png' && dim.type !== 'jpg')
    throw fail(`is ${dim.type?.toUpperCase() ?? 'unknown'}; LINE takes PNG or JPEG`);
  const { width, height } = def.size;
  if (dim.width !== width || dim.height !== height)
    throw fail(`is ${dim.width}×${dim.height} pixels; the menu's size is ${width}×${height}`);
  return dim.type === 'png' ? 'image/png' : 'image/jpeg';
}
