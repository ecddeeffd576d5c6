import { sql, type Kysely } from 'kysely';
import { cartKindSchema } from '../crm/cart-kind.ts';
import type { FriendSubscription, PurchaseStats } from '../crm/purchase-stats.ts';
import { normalizeSubscriptionStatus } from '../crm/subscription-status.ts';
import type { Database } from './schema.ts';

export interface FriendBirthday {
  /** YYYY-MM-DD */
  date: string | null;
  source: 'form' | 'cart' | null;
}

/** Read side of a friend's derived purchase data, for the API (the chat sidebar, F9.2). */
export class FriendPurchaseQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /** Zeros for a friend never refreshed (no link ever touched them): they bought nothing known. */
  async stats(friendId: string): Promise<PurchaseStats> {
    const row = await this.db
      .selectFrom('friend_purchase_stats')
      .selectAll()
      .where('friend_id', '=', friendId)
      .executeTakeFirst();
    if (!row)
      return {
        orderCount: 0,
        totalAmount: 0,
        averageAmount: null,
        firstOrderedAt: null,
        lastOrderedAt: null,
        productCodes: [],
        courseCodes: [],
      };
    return {
      orderCount: row.order_count,
      totalAmount: Number(row.total_amount),
      averageAmount: row.average_amount === null ? null : Number(row.average_amount),
      firstOrderedAt: row.first_ordered_at,
      lastOrderedAt: row.last_ordered_at,
      productCodes: row.product_codes,
      courseCodes: row.course_codes,
    };
  }

  /** Subscriptions of every customer linked to the friend, newest change first. */
  async subscriptions(friendId: string): Promise<FriendSubscription[]> {
    const rows = await this.db
      .selectFrom('links')
      .innerJoin('cart_subscriptions as s', (join) =>
        join
          .onRef('s.connection_id', '=', 'links.connection_id')
          .onRef('s.customer_external_id', '=', 'links.customer_external_id'),
      )
      .innerJoin('connections', 'connections.id', 'links.connection_id')
      .selectAll('s')
      .select('connections.cart')
      .where('links.friend_id', '=', friendId)
      .where('links.suppressed', '=', false)
      .orderBy('s.updated_at_cart', 'desc')
      .orderBy('s.external_id')
      .execute();
    return rows.map((r) => {
      const cart = cartKindSchema.parse(r.cart);
      return {
        connectionId: r.connection_id,
        cart,
        externalId: r.external_id,
        customerExternalId: r.customer_external_id,
        // Mapped again from the raw value, so an improved mapping shows without a re-import.
        status: normalizeSubscriptionStatus(cart, r.raw_status).status,
        rawStatus: r.raw_status,
        courseCode: r.course_code,
        nextDeliveryAt: r.next_delivery_at,
        deliveries: r.deliveries,
      };
    });
  }

  async birthday(friendId: string): Promise<FriendBirthday> {
    const row = await this.db
      .selectFrom('friends')
      // As text: drivers turn a date into a Date at local midnight, which shifts the day.
      .select([sql<string | null>`to_char(birthday, 'YYYY-MM-DD')`.as('date'), 'birthday_source'])
      .where('id', '=', friendId)
      .executeTakeFirst();
    const source = row?.birthday_source;
    return {
      date: row?.date ?? null,
      source: source === 'form' || source === 'cart' ? source : null,
    };
  }
}
