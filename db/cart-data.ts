import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  CartCustomer,
  CartKind,
  CartOrder,
  CartShipment,
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

type ColumnType =
  'text' | 'boolean' | 'numeric' | 'integer' | 'date' | 'timestamptz' | 'jsonb' | 'text[]';

/** A column of a page's upsert: its name, its type, and its values, one a record. */
type Column = readonly [name: string, type: ColumnType, values: readonly unknown[]];

/** JSON.stringify turns a Date into text several times slower than toISOString does itself. */
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

const QUOTE = /["\\]/;
const QUOTES = /["\\]/g;
/** One element of an array literal, quoted; quotes and backslashes escaped. */
const element = (s: string) => (QUOTE.test(s) ? `"${s.replace(QUOTES, '\\$&')}"` : `"${s}"`);

/**
 * Values as one PostgreSQL array literal, `{"a",NULL,"b"}`. Built here rather than by the driver
 * (which escapes every element with two regular expressions): the import sends a column of
 * thousands of values a page.
 */
function arrayLiteral(values: readonly unknown[], type: ColumnType = 'text'): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (i > 0 ? ',' : '') + (v === null || v === undefined ? 'NULL' : element(encode(v, type)));
  }
  return `${out}}`;
}

function encode(value: unknown, type: ColumnType): string {
  if (type === 'jsonb') return JSON.stringify(value);
  // An array-valued column travels as the literal of its own array, cast back after unnest.
  if (type === 'text[]') return arrayLiteral(value as string[]);
  return String(value);
}

/**
 * One upsert of a whole page, a column at a time: each column travels as one array parameter
 * and `unnest` zips them back into rows (array-valued columns as array literals, cast back).
 * Against a multi-row VALUES of ~20 parameters a row, nothing is compiled or bound per value, and
 * the server parses a few arrays instead of 40,000 parameters; against one JSON document
 * (json_populate_recordset), PostgreSQL spends a third less CPU. Rows change only forwards in time.
 */
function upsertRows(
  connection: ConnectionRef,
  table: 'cart_customers' | 'cart_orders',
  columns: readonly Column[],
): PreparedUpsert {
  const arrays = sql.join(
    columns.map(
      ([, type, values]) =>
        sql`${arrayLiteral(values, type)}::${sql.raw(type === 'text[]' ? 'text' : type)}[]`,
    ),
  );
  const aliases = sql.raw(columns.map((_, i) => `c${i}`).join(', '));
  const values = sql.raw(
    columns.map(([, type], i) => (type === 'text[]' ? `c${i}::text[]` : `c${i}`)).join(', '),
  );
  const names = sql.join(columns.map(([name]) => sql.ref(name)));
  const updates = sql.join(
    [...columns.map(([name]) => name).filter((n) => n !== 'external_id'), 'imported_at'].map(
      (c) => sql`${sql.ref(c)} = ${sql.ref(`excluded.${c}`)}`,
    ),
  );
  return sql`insert into ${sql.table(table)} (${names}, connection_id, bot_id, imported_at)
    select ${values}, ${connection.id}, ${connection.botId}, now()
    from unnest(${arrays}) as u(${aliases})
    on conflict (connection_id, external_id) do update set ${updates}
    where excluded.updated_at_cart >= ${sql.ref(`${table}.updated_at_cart`)}`;
}

/**
 * A page's upsert, built before its transaction opens: encoding a page is most of the importer's
 * own work, and done while the previous page commits, it costs the import no time.
 */
export type PreparedUpsert = RawBuilder<unknown>;

export function prepareCustomers(
  connection: ConnectionRef,
  customers: CartCustomer[],
): PreparedUpsert | null {
  if (customers.length === 0) return null;
  const list = dedupe(customers);
  const keys = list.map((c) => customerKeys(connection.cart, c));
  // A column at a time, each read by its own function: one shape per read, so each stays fast.
  return upsertRows(connection, 'cart_customers', [
    ['external_id', 'text', list.map((c) => c.externalId)],
    ['number', 'text', list.map((c) => c.number ?? null)],
    ['email', 'text', list.map((c) => c.email)],
    ['mobile_email', 'text', list.map((c) => c.mobileEmail ?? null)],
    ['email_verified', 'boolean', list.map((c) => c.emailVerified)],
    ['email_key', 'text', keys.map((k) => k.emailKey)],
    ['phones', 'text[]', list.map((c) => c.phones)],
    ['phone_keys', 'text[]', keys.map((k) => k.phoneKeys)],
    ['line_user_id', 'text', list.map((c) => c.lineUserId)],
    ['name', 'text', list.map((c) => c.name)],
    ['name_kana', 'text', list.map((c) => c.nameKana ?? null)],
    ['birthday', 'date', list.map((c) => c.birthday)],
    ['custom_data', 'jsonb', list.map((c) => c.customData ?? null)],
    ['created_at_cart', 'timestamptz', list.map((c) => iso(c.createdAt))],
    ['updated_at_cart', 'timestamptz', list.map((c) => iso(c.updatedAt))],
  ]);
}

export function prepareOrders(
  connection: ConnectionRef,
  orders: CartOrder[],
): PreparedUpsert | null {
  if (orders.length === 0) return null;
  const list = dedupe(orders);
  const keys = list.map((o) => orderKeys(connection.cart, o));
  return upsertRows(connection, 'cart_orders', [
    ['external_id', 'text', list.map((o) => o.externalId)],
    ['customer_external_id', 'text', list.map((o) => o.customerExternalId)],
    ['number', 'text', list.map((o) => o.number ?? null)],
    ['ordered_at', 'timestamptz', list.map((o) => iso(o.orderedAt))],
    ['total_amount', 'numeric', list.map((o) => o.totalAmount)],
    ['currency', 'text', list.map((o) => o.currency)],
    ['status', 'text', list.map((o) => o.status)],
    ['cancelled', 'boolean', list.map((o) => o.cancelled)],
    ['items', 'jsonb', list.map((o) => o.items)],
    ['shipped_at', 'timestamptz', list.map((o) => iso(o.shippedAt))],
    ['requested_delivery_date', 'date', list.map((o) => o.requestedDeliveryDate)],
    ['carrier', 'text', list.map((o) => o.carrier)],
    ['tracking_number', 'text', list.map((o) => o.trackingNumber)],
    ['subscription_external_id', 'text', list.map((o) => o.subscriptionExternalId)],
    ['subscription_sequence', 'integer', list.map((o) => o.subscriptionSequence)],
    ['orderer_phone_keys', 'text[]', keys.map((k) => k.phoneKeys)],
    ['orderer_email_key', 'text', keys.map((k) => k.emailKey)],
    ['updated_at_cart', 'timestamptz', list.map((o) => iso(o.updatedAt))],
  ]);
}

/**
 * Imported cart records. Every write is an idempotent multi-row upsert keyed by (connection, the
 * cart's id), and a record never goes back in time: an update whose cart timestamp is older than
 * the stored one (a late webhook, an import racing a webhook) changes nothing.
 */
export class CartDataRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Runs an upsert built by prepareCustomers or prepareOrders. */
  async upsert(prepared: PreparedUpsert | null): Promise<void> {
    if (prepared) await prepared.execute(this.db);
  }

  upsertCustomers(connection: ConnectionRef, customers: CartCustomer[]): Promise<void> {
    return this.upsert(prepareCustomers(connection, customers));
  }

  upsertOrders(connection: ConnectionRef, orders: CartOrder[]): Promise<void> {
    return this.upsert(prepareOrders(connection, orders));
  }

  /**
   * Shipping news of orders already stored (an order not imported yet brings its shipping with it
   * when it is). The latest shipment wins, as a multi-package order has shipped when its last
   * package has; an older one arriving late changes nothing. Resolves to the orders updated.
   */
  async applyShipments(connection: ConnectionRef, shipments: CartShipment[]): Promise<number> {
    let updated = 0;
    for (const s of shipments) {
      const result = await this.db
        .updateTable('cart_orders')
        .set({
          shipped_at: s.shippedAt,
          carrier: s.carrier,
          tracking_number: s.trackingNumber,
        })
        .where('connection_id', '=', connection.id)
        .where('external_id', '=', s.orderExternalId)
        .where((eb) => eb.or([eb('shipped_at', 'is', null), eb('shipped_at', '<=', s.shippedAt)]))
        .executeTakeFirst();
      updated += Number(result.numUpdatedRows);
    }
    return updated;
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
