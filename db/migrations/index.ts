import type { Migration } from 'kysely/migration';
import * as bots from './20261123120000_bots.ts';
import * as lineCore from './20261123130000_line_core.ts';
import * as carts from './20261123140000_carts.ts';
import * as purchaseStats from './20261124100000_purchase_stats.ts';
import * as inboxClaimOrder from './20261124110000_inbox_claim_order.ts';
import * as notices from './20261124120000_notices.ts';
import * as liff from './20261124140000_liff.ts';
import * as segments from './20261124150000_segments.ts';
import * as richMenus from './20261124160000_rich_menus.ts';
import * as richMenusSwitch from './20261124160000_rich_menus_switch.ts';
import * as friendTagsByTag from './20261205100000_friend_tags_by_tag.ts';
import * as lineInbox from './20261206100000_line_inbox.ts';
import * as conversationsHot from './20261207100000_conversations_hot.ts';
import * as eventLogKeys from './20261208100000_event_log_keys.ts';
import * as failedEvents from './20261209100000_failed_events.ts';

/**
 * Every migration, in order. A static list (not a folder scan) so the same migrations run inside
 * the Workers bundle, which has no file system.
 */
export const migrations: Record<string, Migration> = {
  '20261123120000_bots': bots,
  '20261123130000_line_core': lineCore,
  '20261123140000_carts': carts,
  '20261124100000_purchase_stats': purchaseStats,
  '20261124110000_inbox_claim_order': inboxClaimOrder,
  '20261124120000_notices': notices,
  '20261124140000_liff': liff,
  '20261124150000_segments': segments,
  '20261124160000_rich_menus': richMenus,
  '20261124160000_rich_menus_switch': richMenusSwitch,
  '20261205100000_friend_tags_by_tag': friendTagsByTag,
  '20261206100000_line_inbox': lineInbox,
  '20261207100000_conversations_hot': conversationsHot,
  '20261208100000_event_log_keys': eventLogKeys,
  '20261209100000_failed_events': failedEvents,
};
