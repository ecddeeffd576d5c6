import { readFile } from 'node:fs/promises';
import type { RichMenuDefinition } from '../crm/rich-menu.ts';
import { RichMenuError } from './errors.ts';
import { richMenus } from './index.ts';
import type { LoadedRichMenu } from './sync.ts';

const ASSETS = new URL('./assets/', import.meta.url);

/** Reads each definition's image from rich-menus/assets (Node: the apply command runs there). */
export async function loadRichMenus(
  definitions: RichMenuDefinition[] = richMenus,
  assets: URL = ASSETS,
): Promise<LoadedRichMenu[]> {
  return Promise.all(
    definitions.map(async (definition) => {
      try {
        const image = new Uint8Array(await readFile(new URL(definition.image, assets)));
        return { definition, image };
      } catch (error) {
        throw new RichMenuError(
          'invalid_image',
          `rich menu "${definition.name}": cannot read assets/${definition.image}`,
          definition.name,
          { cause: error },
        );
      }
    }),
  );
}
