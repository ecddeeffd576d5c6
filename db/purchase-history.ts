import { sql, type Kysely } from 'kysely';
import { cartKindSchema, type CartKind } from '../crm/cart-kind.ts';
import {
  shownCarrier,
  threeMonthsBefore,
  trackingUrl,
  type ShownCarrier,
} from '../crm/tracking.ts';
import type { Database } from './schema.ts';

export interface HistoryOrder {
  id: string;
  cart: CartKind;
  orderedAt: Date;
  totalAmount: number;
  currency: string;
  items: Array<{ name: string; quantity: number; unitPrice: number }>;
  requestedDeliveryDate: string | null;
  carrier: ShownCarrier | null;
  trackingUrl: string | null;
}

export interface PurchaseHistory {
  linked: boolean;
  orders: HistoryOrder[];
}

/** How many orders the mini-app shows (F8.2). */
export const HISTORY_LIMIT = 12;

/**
 * A friend's purchase history for the LIFF mini-app (F8.2): orders of every linked customer in
 * every cart, the last three months, newest first, at most 12. Cancelled orders are left out, as
 * from the purchase figures.
 */
export async function purchaseHistory(
  db: Kysely<Database>,
  botId: string,
  lineUserId: string,
  now: Date,
): Promise<PurchaseHistory> {
  const friend = await db
    .selectFrom('friends')
    .select('id')
    .where('bot_id', '=', botId)
    .where('line_user_id', '=', lineUserId)
    .executeTakeFirst();
  if (!friend) return { linked: false, orders: [] };
  const linked = await db
    .selectFrom('links')
    .select('friend_id')
    .where('friend_id', '=', friend.id)
    .where('suppressed', '=', false)
    .limit(1)
    .executeTakeFirst();
  if (!linked) return { linked: false, orders: [] };
  const rows = await sql<OrderRow>`
    select o.connection_id, o.external_id, c.cart, o.ordered_at, o.total_amount, o.currency,
      o.items, to_char(o.requested_delivery_date, 'YYYY-MM-DD') as requested_delivery_date,
      o.carrier, o.tracking_number
    from links l
    join connections c on c.id = l.connection_id
    join cart_orders o on o.connection_id = l.connection_id
      and o.customer_external_id = l.customer_external_id
    where l.friend_id = ${friend.id} and not l.suppressed and not o.cancelled
      and o.ordered_at >= ${threeMonthsBefore(now).toISOString()}::timestamptz
    order by o.ordered_at desc, o.connection_id, o.external_id
    limit ${HISTORY_LIMIT}`.execute(db);
  return {
    linked: true,
    orders: rows.rows.map((r) => ({
      id: `${r.connection_id}:${r.external_id}`,
      cart: cartKindSchema.parse(r.cart),
      orderedAt: new Date(r.ordered_at),
      totalAmount: Number(r.total_amount),
      currency: r.currency,
      items: (typeof r.items === 'string' ? JSON.parse(r.items) : r.items).map(
        (i: { name?: string; quantity?: number; unitPrice?: number }) => ({
          name: i.name ?? '',
          quantity: Number(i.quantity ?? 0),
          unitPrice: Number(i.unitPrice ?? 0),
        }),
      ),
      requestedDeliveryDate: r.requested_delivery_date,
      carrier: shownCarrier(r.carrier),
      trackingUrl: trackingUrl(r.carrier, r.tracking_number),
    })),
  };
}

interface OrderRow {
  connection_id: string;
  external_id: string;
  cart: string;
  ordered_at: Date | string;
  total_amount: string;
  currency: string;
  items: unknown;
  requested_delivery_date: string | null;
  carrier: string | null;
  tracking_number: string | null;
}
