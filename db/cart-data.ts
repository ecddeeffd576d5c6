import type { Kysely } from 'kysely';
import type {
  CartCustomer,
  CartKind,
  CartOrder,
  CartProduct,
  CartSubscription,
} from '../crm/cart.ts';
import { customerKeys, orderKeys } from '../crm/cart-keys.ts';
import { normalizeSubscriptionStatus } from '../crm/subscription-status.ts';
import { CartProductRepository } from './cart-products.ts';
import type { Database } from './schema.ts';

export interface ConnectionRef {
  id: string;
  botId: string;
  cart: CartKind;
}

/** Rows per statement: well under PostgreSQL's 65,535 parameters at ~20 columns a row. */
const CHUNK = 1000;

/**
 * Imported cart records. Every write is an idempotent multi-row upsert keyed by (connection, the
 * cart's id), and a record never goes back in time: an update whose cart timestamp is older than
 * the stored one (a late webhook, an import racing a webhook) changes nothing.
 */
export class CartDataRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsertCustomers(connection: ConnectionRef, customers: CartCustomer[]): Promise<void> {
    for (let i = 0; i < customers.length; i += CHUNK) {
      const rows = dedupe(customers.slice(i, i + CHUNK)).map((c) => {
        const keys = customerKeys(connection.cart, c);
        return {
          connection_id: connection.id,
          external_id: c.externalId,
          bot_id: connection.botId,
          number: c.number ?? null,
          email: c.email,
          mobile_email: c.mobileEmail ?? null,
          email_verified: c.emailVerified,
          email_key: keys.emailKey,
          phones: c.phones,
          phone_keys: keys.phoneKeys,
          line_user_id: c.lineUserId,
          name: c.name,
          name_kana: c.nameKana ?? null,
          birthday: c.birthday,
          custom_data: c.customData ? JSON.stringify(c.customData) : null,
          created_at_cart: c.createdAt,
          updated_at_cart: c.updatedAt,
          imported_at: new Date(),
        };
      });
      await this.db
        .insertInto('cart_customers')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'external_id'])
            .doUpdateSet((eb) => ({
              number: eb.ref('excluded.number'),
              email: eb.ref('excluded.email'),
              mobile_email: eb.ref('excluded.mobile_email'),
              email_verified: eb.ref('excluded.email_verified'),
              email_key: eb.ref('excluded.email_key'),
              phones: eb.ref('excluded.phones'),
              phone_keys: eb.ref('excluded.phone_keys'),
              line_user_id: eb.ref('excluded.line_user_id'),
              name: eb.ref('excluded.name'),
              name_kana: eb.ref('excluded.name_kana'),
              birthday: eb.ref('excluded.birthday'),
              custom_data: eb.ref('excluded.custom_data'),
              created_at_cart: eb.ref('excluded.created_at_cart'),
              updated_at_cart: eb.ref('excluded.updated_at_cart'),
              imported_at: eb.ref('excluded.imported_at'),
            }))
            .where(({ eb, ref }) =>
              eb(ref('excluded.updated_at_cart'), '>=', ref('cart_customers.updated_at_cart')),
            ),
        )
        .execute();
    }
  }

  async upsertOrders(connection: ConnectionRef, orders: CartOrder[]): Promise<void> {
    for (let i = 0; i < orders.length; i += CHUNK) {
      const rows = dedupe(orders.slice(i, i + CHUNK)).map((o) => {
        const keys = orderKeys(connection.cart, o);
        return {
          connection_id: connection.id,
          external_id: o.externalId,
          bot_id: connection.botId,
          customer_external_id: o.customerExternalId,
          number: o.number ?? null,
          ordered_at: o.orderedAt,
          total_amount: o.totalAmount,
          currency: o.currency,
          status: o.status,
          cancelled: o.cancelled,
          items: JSON.stringify(o.items),
          shipped_at: o.shippedAt,
          requested_delivery_date: o.requestedDeliveryDate,
          carrier: o.carrier,
          tracking_number: o.trackingNumber,
          subscription_external_id: o.subscriptionExternalId,
          subscription_sequence: o.subscriptionSequence,
          orderer_phone_keys: keys.phoneKeys,
          orderer_email_key: keys.emailKey,
          updated_at_cart: o.updatedAt,
          imported_at: new Date(),
        };
      });
      await this.db
        .insertInto('cart_orders')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'external_id'])
            .doUpdateSet((eb) => {
              const columns = [
                'customer_external_id',
                'number',
                'ordered_at',
                'total_amount',
                'currency',
                'status',
                'cancelled',
                'items',
                'shipped_at',
                'requested_delivery_date',
                'carrier',
                'tracking_number',
                'subscription_external_id',
                'subscription_sequence',
                'orderer_phone_keys',
                'orderer_email_key',
                'updated_at_cart',
                'imported_at',
              ] as const;
              return Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]));
            })
            .where(({ eb, ref }) =>
              eb(ref('excluded.updated_at_cart'), '>=', ref('cart_orders.updated_at_cart')),
            ),
        )
        .execute();
    }
  }

  async upsertSubscriptions(
    connection: ConnectionRef,
    subscriptions: CartSubscription[],
  ): Promise<void> {
    for (let i = 0; i < subscriptions.length; i += CHUNK) {
      const rows = dedupe(subscriptions.slice(i, i + CHUNK)).map((s) => ({
        connection_id: connection.id,
        external_id: s.externalId,
        bot_id: connection.botId,
        customer_external_id: s.customerExternalId,
        raw_status: s.rawStatus,
        status: normalizeSubscriptionStatus(connection.cart, s.rawStatus).status,
        course_code: s.courseCode,
        next_delivery_at: s.nextDeliveryAt,
        deliveries: s.deliveries,
        updated_at_cart: s.updatedAt,
      }));
      await this.db
        .insertInto('cart_subscriptions')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'external_id'])
            .doUpdateSet((eb) => ({
              customer_external_id: eb.ref('excluded.customer_external_id'),
              raw_status: eb.ref('excluded.raw_status'),
              status: eb.ref('excluded.status'),
              course_code: eb.ref('excluded.course_code'),
              next_delivery_at: eb.ref('excluded.next_delivery_at'),
              deliveries: eb.ref('excluded.deliveries'),
              updated_at_cart: eb.ref('excluded.updated_at_cart'),
            }))
            .where(({ eb, ref }) =>
              eb(ref('excluded.updated_at_cart'), '>=', ref('cart_subscriptions.updated_at_cart')),
            ),
        )
        .execute();
    }
  }

  /** The catalog (F4.5): see cart-products.ts. */
  async upsertProducts(connection: ConnectionRef, products: CartProduct[]): Promise<void> {
    await new CartProductRepository(this.db).upsert(connection, products);
  }
}

/**
 * A page may carry one record twice (a cart listing it again while it changes); PostgreSQL refuses
 * to upsert the same key twice in one statement, so the newest copy wins here.
 */
function dedupe<T extends { externalId: string; updatedAt: Date }>(records: T[]): T[] {
  const newest = new Map<string, T>();
  for (const record of records) {
    const seen = newest.get(record.externalId);
    if (!seen || seen.updatedAt <= record.updatedAt) newest.set(record.externalId, record);
  }
  return [...newest.values()];
}
