import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionRepository, type Connection } from '../../db/connections.ts';
import { createFakeShopify } from '../fakes/shopify.ts';
import { restCustomerPayload, restOrderPayload } from '../fakes/shopify/webhook.ts';
import { openTestApp, type TestApp } from '../helpers/app.ts';
import { insertFriend } from '../helpers/carts.ts';

let t: TestApp;
let url: string;
let stop: () => Promise<void>;
let connection: Connection;
const shopify = createFakeShopify({});

beforeAll(async () => {
  t = await openTestApp();
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = () => new Promise((resolve) => server.close(() => resolve()));
  expect((await t.api('POST', '/api/bots', { id: 'shop', name: 'Shop' })).status).toBe(201);
  const connections = new ConnectionRepository(t.testDb.db.kysely, t.secretBox);
  connection = (await connections.create({
    botId: 'shop',
    cart: 'shopify',
    name: 'Shopify',
    credentials: {
      shopDomain: shopify.shopDomain,
      accessToken: shopify.accessToken,
      webhookSecret: shopify.webhookSecret,
    },
  }))!;
});
afterAll(async () => {
  await stop();
  await t.close();
});

const hook = () => `${url}/webhooks/carts/${connection.id}`;
const stored = (externalId: string) =>
  t.testDb.db.kysely
    .selectFrom('cart_orders')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirst();

describe('POST /webhooks/carts/:connectionId (Shopify)', () => {
  it('applies a signed customer webhook and links the friend at once', async () => {
    const friend = await insertFriend(t.testDb.db, 'shop', { emailKey: 'sakura@example.jp' });
    const customer = shopify.add.customer({ email: 'Sakura@Example.jp', verifiedEmail: true });
    const res = await shopify.sendWebhook(
      hook(),
      'customers/create',
      restCustomerPayload(customer),
      { webhookId: 'w-1' },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ applied: 1 });
    const links = await t.testDb.db.kysely
      .selectFrom('links')
      .selectAll()
      .where('friend_id', '=', friend)
      .execute();
    expect(links).toEqual([
      expect.objectContaining({ customer_external_id: customer.id, rule: 'email' }),
    ]);
  });

  it('applies a redelivered webhook once', async () => {
    const customer = shopify.add.customer();
    const payload = restCustomerPayload(customer);
    expect(
      await (
        await shopify.sendWebhook(hook(), 'customers/update', payload, { webhookId: 'w-2' })
      ).json(),
    ).toEqual({ applied: 1 });
    expect(
      await (
        await shopify.sendWebhook(hook(), 'customers/update', payload, { webhookId: 'w-2' })
      ).json(),
    ).toEqual({ duplicate: true });
  });

  it('refuses a wrong or missing signature and a tampered body with 401, storing nothing', async () => {
    const order = shopify.add.order();
    const bad = await shopify.sendWebhook(hook(), 'orders/create', restOrderPayload(order), {
      signature: 'AAAA',
    });
    expect(bad.status).toBe(401);
    const tampered = await shopify.sendWebhook(hook(), 'orders/create', restOrderPayload(order), {
      tamper: (body) => body.replace('"currency"', '"currency" '),
    });
    expect(tampered.status).toBe(401);
    expect(await stored(order.id)).toBeUndefined();
  });

  it('keeps the newest state when webhooks arrive out of order', async () => {
    const order = shopify.add.order();
    const newer = {
      ...restOrderPayload(order),
      updated_at: '2026-11-20T10:00:00Z',
      total_price: '5000.00',
    };
    const older = {
      ...restOrderPayload(order),
      updated_at: '2026-11-20T09:00:00Z',
      total_price: '3000.00',
    };
    expect((await shopify.sendWebhook(hook(), 'orders/updated', newer)).status).toBe(200);
    expect((await shopify.sendWebhook(hook(), 'orders/updated', older)).status).toBe(200);
    expect(Number((await stored(order.id))!.total_amount)).toBe(5000);
  });

  it('records shipping from fulfillment webhooks: the latest shipment wins', async () => {
    const order = shopify.add.order();
    expect(
      (await shopify.sendWebhook(hook(), 'orders/create', restOrderPayload(order))).status,
    ).toBe(200);
    const numericId = order.id.replace(/\D/g, '');
    const fulfillment = (id: number, at: string, tracking: string, company = 'Yamato (JA)') => ({
      id,
      order_id: Number(numericId),
      status: 'success',
      created_at: at,
      tracking_company: company,
      tracking_numbers: [tracking],
    });
    const send = async (topic: string, body: object) =>
      expect((await shopify.sendWebhook(hook(), topic, body)).status).toBe(200);
    await send('fulfillments/create', fulfillment(2, '2026-11-21T10:00:00Z', 'Y-2'));
    // The first package's webhook arrives late: the order has shipped with its last package.
    await send('fulfillments/create', fulfillment(1, '2026-11-20T10:00:00Z', 'S-1', 'Sagawa (JA)'));
    const row = await stored(order.id);
    expect(row).toMatchObject({ carrier: 'yamato', tracking_number: 'Y-2' });
    expect(row!.shipped_at?.toISOString()).toBe('2026-11-21T10:00:00.000Z');
    // A fulfillment of an order not imported yet changes nothing (the order brings its own).
    await send('fulfillments/create', {
      ...fulfillment(3, '2026-11-22T00:00:00Z', 'Y-3'),
      order_id: 999999,
    });
    expect((await stored(order.id))!.tracking_number).toBe('Y-2');
  });

  it('answers 404 for an unknown or disconnected connection', async () => {
    const res = await fetch(`${url}/webhooks/carts/nope`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    await new ConnectionRepository(t.testDb.db.kysely, t.secretBox).disconnect(connection.id);
    const after = await shopify.sendWebhook(
      hook(),
      'customers/update',
      restCustomerPayload(shopify.add.customer()),
    );
    expect(after.status).toBe(404);
  });
});
