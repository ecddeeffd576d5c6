// Linking by the cart's own LINE id (F2.4, Action Link's mode "0-a"), through a real import from
// the fake ecforce (whose customers carry `line_id`) and the API: a customer carrying a friend's
// LINE user id links to that friend with no phone, e-mail or order; a cart whose LINE ids come
// from another provider's channel (so match no friend of the bot) is named as the reason in the
// unlinked report, not silently dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecforce } from '../../carts/ecforce.ts';
import type { CartConnector } from '../../carts/connector.ts';
import { ConnectionRepository } from '../../db/connections.ts';
import { importResource, type ImportDeps, type Resource } from '../../jobs/cart-import.ts';
import { silentLogger } from '../../server/logger.ts';
import { generateShop, type ShopCustomer } from '../fakes/cart-data.ts';
import { createFakeEcforce } from '../fakes/ecforce.ts';
import { openTestApp, type TestApp } from '../helpers/app.ts';
import { insertFriend } from '../helpers/carts.ts';

const TOKEN = 'line-id-links-token';
const data = generateShop(41, 120);
let t: TestApp;
let server: { url: string; close(): Promise<void> };
let deps: ImportDeps;
let connections: ConnectionRepository;

beforeAll(async () => {
  t = await openTestApp();
  const fake = createFakeEcforce({ apiToken: TOKEN });
  fake.seed(data);
  server = await fake.listen();
  connections = new ConnectionRepository(t.testDb.db.kysely, t.secretBox);
  deps = {
    db: t.testDb.db,
    connections,
    logger: silentLogger,
    fetch,
    sleep: async () => {},
    now: () => new Date(),
  };
  for (const id of ['own', 'elsewhere'])
    expect((await t.api('POST', '/api/bots', { id, name: id })).status).toBe(201);
});
afterAll(async () => {
  await server.close();
  await t.close();
});

/** The bot's ecforce connection to the fake, imported for real (customers, then orders). */
async function connectAndImport(botId: string, resources: Resource[]) {
  const created = await connections.create({
    botId,
    cart: 'ecforce',
    name: 'ecforce',
    credentials: { shopDomain: 'shop.example.com', apiToken: TOKEN },
    baseUrl: server.url,
  });
  const connection = (await connections.get(created!.id))!;
  for (const r of resources)
    await importResource(deps, ecforce as CartConnector<unknown>, connection, r);
  return connection;
}
const json = async <T>(res: Response): Promise<T> => {
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};
type Links = { items: Array<{ customerExternalId: string; rule: string }> };
type Unlinked = {
  items: Array<{
    friendId: string;
    carts: Array<{ connectionId: string; reason: string; message: { ja: string } }>;
  }>;
};

describe('linking by the cart’s LINE id', () => {
  it('links a customer carrying a friend’s LINE id, with no phone, e-mail or order', async () => {
    const carriers = data.customers.filter((c) => c.lineUserId);
    const withoutOrders = carriers.find((c) => c.orderCount === 0)!;
    const chosen: ShopCustomer[] = [
      withoutOrders,
      ...carriers.filter((c) => c.orderCount > 0).slice(0, 2),
    ];
    expect(chosen.every(Boolean)).toBe(true);
    // Friends who never gave a phone or e-mail: the LINE id is all there is to go on.
    const friends = await Promise.all(
      chosen.map((c) => insertFriend(t.testDb.db, 'own', { lineUserId: c.lineUserId! })),
    );
    await connectAndImport('own', ['customers']);

    for (const [i, c] of chosen.entries()) {
      const links = await json<Links>(
        await t.api('GET', `/api/bots/own/friends/${friends[i]}/links`),
      );
      expect(links.items).toEqual([
        expect.objectContaining({ customerExternalId: String(c.id), rule: 'line_id' }),
      ]);
    }
    const report = await json<Unlinked>(
      await t.api('GET', '/api/bots/own/links/unlinked?limit=500'),
    );
    for (const f of friends) expect(report.items.map((u) => u.friendId)).not.toContain(f);
  });

  it('reports a cart whose LINE ids belong to another provider’s channel, per unlinked friend', async () => {
    // The same store connected to a bot of another provider: LINE user ids are per provider, so
    // none of the cart's ids is the id of any of this bot's friends.
    const silent = await insertFriend(t.testDb.db, 'elsewhere');
    const stranger = await insertFriend(t.testDb.db, 'elsewhere', { phoneKey: '+819000000001' });
    const buyer = data.customers.find(
      (c) => c.phone && !c.phone.landline && c.orderCount > 0 && c.samePhoneAs === null,
    )!;
    const byPhone = await insertFriend(t.testDb.db, 'elsewhere', {
      phoneKey: `+81${buyer.phone!.digits.slice(1)}`,
    });
    const connection = await connectAndImport('elsewhere', ['customers', 'orders']);

    const report = await json<Unlinked>(
      await t.api('GET', '/api/bots/elsewhere/links/unlinked?limit=500'),
    );
    const reasonOf = (friendId: string) =>
      report.items
        .find((u) => u.friendId === friendId)
        ?.carts.find((c) => c.connectionId === connection.id);
    for (const f of [silent, stranger]) {
      expect(reasonOf(f)?.reason).toBe('line_id_of_other_channel');
      expect(reasonOf(f)?.message.ja).toContain('別のプロバイダー');
    }
    // The phone rule still links whoever it can.
    expect(report.items.map((u) => u.friendId)).not.toContain(byPhone);
    const links = await json<Links>(
      await t.api('GET', `/api/bots/elsewhere/friends/${byPhone}/links`),
    );
    expect(links.items.map((l) => l.rule)).toContain('phone');
  });

  it('does not blame another channel once any of the cart’s LINE ids is a friend’s', async () => {
    const report = await json<Unlinked>(
      await t.api('GET', '/api/bots/own/links/unlinked?limit=500'),
    );
    const lonely = await insertFriend(t.testDb.db, 'own');
    const again = await json<Unlinked>(
      await t.api('GET', '/api/bots/own/links/unlinked?limit=500'),
    );
    const entry = again.items.find((u) => u.friendId === lonely)!;
    expect(entry.carts.map((c) => c.reason)).toEqual(['no_phone_or_email']);
    expect(report.items.flatMap((u) => u.carts.map((c) => c.reason))).not.toContain(
      'line_id_of_other_channel',
    );
  });
});
