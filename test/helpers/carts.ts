import type { CartCustomer, CartKind, CartOrder } from '../../crm/cart.ts';
import type { Db } from '../../db/index.ts';
import type { ConnectionRef } from '../../db/cart-data.ts';

/** A connection row for tests that exercise the data layer directly (no credentials check). */
export async function insertConnection(
  db: Db,
  botId: string,
  cart: CartKind,
): Promise<ConnectionRef> {
  const id = `conn-${cart}-${Math.random().toString(36).slice(2, 8)}`;
  await db.kysely
    .insertInto('connections')
    .values({ id, bot_id: botId, cart, name: cart, credentials_sealed: 'v1.test.test' })
    .execute();
  return { id, botId, cart };
}

export async function insertBot(db: Db, id: string): Promise<void> {
  await db.kysely
    .insertInto('bots')
    .values({ id, name: id })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** A friend with identity fields as a form would have stored them (keys included). */
export async function insertFriend(
  db: Db,
  botId: string,
  fields: { lineUserId?: string; phoneKey?: string | null; emailKey?: string | null } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  await db.kysely
    .insertInto('friends')
    .values({
      id,
      bot_id: botId,
      line_user_id: fields.lineUserId ?? `U${crypto.randomUUID().replace(/-/g, '')}`,
      source: 'follow',
      phone_key: fields.phoneKey ?? null,
      email_key: fields.emailKey ?? null,
    })
    .execute();
  return id;
}

let n = 0;
export function customer(fields: Partial<CartCustomer> = {}): CartCustomer {
  n += 1;
  return {
    externalId: `C${n}`,
    email: null,
    emailVerified: null,
    phones: [],
    lineUserId: null,
    name: '山田 太郎',
    birthday: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    ...fields,
  };
}

export function order(customerExternalId: string, fields: Partial<CartOrder> = {}): CartOrder {
  n += 1;
  return {
    externalId: `O${n}`,
    customerExternalId,
    orderedAt: new Date('2026-11-01T00:00:00Z'),
    totalAmount: 3980,
    currency: 'JPY',
    status: 'complete',
    cancelled: false,
    items: [{ productCode: 'P-001', name: '化粧水', quantity: 1, unitPrice: 3980 }],
    shippedAt: null,
    requestedDeliveryDate: null,
    carrier: null,
    trackingNumber: null,
    subscriptionExternalId: null,
    subscriptionSequence: null,
    ordererPhones: [],
    ordererEmail: null,
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    ...fields,
  };
}
