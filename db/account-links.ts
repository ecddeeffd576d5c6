import type { Kysely } from 'kysely';
import { refreshFriendPurchases } from './purchase-stats.ts';
import { runRules } from './rule-runner.ts';
import type { Database } from './schema.ts';
import { encodeBase64 } from './secret-box.ts';

/** How long a nonce waits for LINE's accountLink event (LINE's link token also lives 10 min). */
export const NONCE_TTL_MS = 10 * 60 * 1000;

/** What an accountLink event did (recorded on its account_links row). */
export type AccountLinkOutcome = 'linked' | 'failed' | 'unknown_nonce' | 'expired' | 'used';

/**
 * LINE Account Link (F2.8; research/line-platform.md §4.2). After the shopper logs in on the
 * shop's site, Kizuna binds a fresh nonce to that cart customer; LINE's accountLink event then
 * carries the nonce back with the LINE user, and the friend is linked to the customer. A nonce is
 * unpredictable (128 bits), single-use and expires.
 */
export class AccountLinkNonces {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    botId: string,
    connectionId: string,
    customerExternalId: string,
    now: Date,
  ): Promise<string> {
    // base64url of 128 random bits (LINE: 10–255 characters, unpredictable).
    const nonce = encodeBase64(crypto.getRandomValues(new Uint8Array(16)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    await this.db
      .insertInto('account_link_nonces')
      .values({
        nonce,
        bot_id: botId,
        connection_id: connectionId,
        customer_external_id: customerExternalId,
        created_at: now,
        expires_at: new Date(now.getTime() + NONCE_TTL_MS),
      })
      .execute();
    return nonce;
  }

  /**
   * Spends a nonce for the friend LINE named, at the event's time, and links the friend to the
   * nonce's customer (rule `account_link`: the shopper proved both sides, so it is as strong as a
   * manual link, and lifts a link staff had removed). Call inside the event's transaction.
   */
  async consume(
    botId: string,
    nonce: string,
    friendId: string,
    at: Date,
    timeZone?: string,
  ): Promise<AccountLinkOutcome> {
    const spent = await this.db
      .updateTable('account_link_nonces')
      .set({ used_at: at, friend_id: friendId })
      .where('bot_id', '=', botId)
      .where('nonce', '=', nonce)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .returning(['connection_id', 'customer_external_id'])
      .executeTakeFirst();
    if (!spent) {
      const known = await this.db
        .selectFrom('account_link_nonces')
        .select('used_at')
        .where('bot_id', '=', botId)
        .where('nonce', '=', nonce)
        .executeTakeFirst();
      if (!known) return 'unknown_nonce';
      return known.used_at ? 'used' : 'expired';
    }
    await this.db
      .insertInto('links')
      .values({
        bot_id: botId,
        friend_id: friendId,
        connection_id: spent.connection_id,
        customer_external_id: spent.customer_external_id,
        rule: 'account_link',
      })
      .onConflict((oc) =>
        oc
          .columns(['friend_id', 'connection_id', 'customer_external_id'])
          .doUpdateSet({ suppressed: false }),
      )
      .execute();
    await refreshFriendPurchases(this.db, { friendIds: [friendId] });
    await runRules(this.db, botId, {
      cause: 'link',
      now: new Date(),
      friendIds: [friendId],
      timeZone,
    });
    return 'linked';
  }
}
