import { richMenuSetSchema, type RichMenuDefinition } from '../crm/rich-menu.ts';
import member from './member.ts';
import tabMember from './tab-member.ts';
import tabShop from './tab-shop.ts';

/**
 * Every rich menu of the shop, as code (F7.1). Add a file beside this one (see tab-shop.ts), its
 * image under assets/, and list it here; `npm run rich-menus -- apply --bot <id>` puts the set on
 * LINE. Parsed at load, so a definition LINE would refuse stops here with its path.
 */
export const richMenus: RichMenuDefinition[] = richMenuSetSchema.parse([
  tabShop,
  tabMember,
  member,
]);
