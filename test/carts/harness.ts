// Set-up the cart test files share: reading a sync to its end, a clock the connector's sleeps
// move, a context pointing at a fake, the contract's hooks into a fake, a fake started and seeded
// for each test, and a database with a bot for the real imports.
import { expect } from 'vitest';
import type { ConnectorContext, Page } from '../../carts/connector.ts';
import { normalizePhone } from '../../crm/identity.ts';
import { ConnectionRepository } from '../../db/connections.ts';
import { SecretBox } from '../../db/secret-box.ts';
import type { ImportDeps } from '../../jobs/cart-import.ts';
import { silentLogger } from '../../server/logger.ts';
import type { ShopData } from '../fakes/cart-data.ts';
import { insertBot } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import type { ContractFault, ContractHarness } from './contract.ts';

/** The day the cart tests run on, unless a test moves its clock. */
export const NOW = new Date('2026-11-23T00:00:00Z');

/** Every item of every page a sync yields. */
export async function all<T>(pages: AsyncIterable<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...p.items);
  return out;
}

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** A virtual clock: sleeping moves it, so pacing costs no real time and the fake still sees it. */
export function virtualClock(
  start = NOW.getTime(),
  scale = 1,
): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (ms: number) => void (t += ms * scale),
    sleep(ms: number) {
      t += ms * scale;
      return Promise.resolve();
    },
  };
}

/** A clock on a number the test holds (sleeps move it too); without one, NOW, standing still. */
export function heldClock(clock?: { t: number }): Clock {
  return {
    sleep: (ms) => (clock && (clock.t += ms), Promise.resolve()),
    now: () => new Date(clock?.t ?? NOW.getTime()),
  };
}

/** A connector's context pointing at a fake, over the real fetch. */
export function fakeContext<C>(credentials: C, baseUrl: string, clock: Clock): ConnectorContext<C> {
  return { credentials, baseUrl, fetch: globalThis.fetch, sleep: clock.sleep, now: clock.now };
}

/** What the contract and the tests ask of every cart fake. */
export interface TestFake {
  seed(data: ShopData): void;
  inject(kind: ContractFault, times?: number): void;
  touch(customerIds: number[]): void;
  violations?: string[];
}

/**
 * The contract's hooks into a fake and its server. With `clean`, the fake must have seen no rule
 * of the cart broken (carts whose contract runs on a clock the fake checks the pacing on).
 */
export function contractHooks(
  fake: TestFake,
  server: { close(): Promise<void> },
  clean = false,
): Pick<ContractHarness<unknown>, 'seed' | 'failNext' | 'touch' | 'close'> {
  return {
    seed: (data) => fake.seed(data),
    failNext: (kind, times) => fake.inject(kind, times),
    touch: (ids) => fake.touch(ids),
    close: async () => {
      await server.close();
      if (clean) expect(fake.violations).toEqual([]);
    },
  };
}

/** A started fake, seeded with `data`, with its server's close at hand. */
export async function seeded<S extends { fake: TestFake; server: { close(): Promise<void> } }>(
  started: Promise<S>,
  data: ShopData,
): Promise<S & { close: () => Promise<void> }> {
  const s = await started;
  s.fake.seed(data);
  return { ...s, close: s.server.close };
}

/** Closes a fake's server once the test has checked that the fake saw no rule broken. */
export async function closeClean(fake: { violations: string[] }, close: () => Promise<void>) {
  expect(fake.violations).toEqual([]);
  await close();
}

/** A test database with the bot 'shop', and what a real import needs, on the given clock. */
export async function importDb(clock: Clock): Promise<{
  t: TestDb;
  connections: ConnectionRepository;
  deps: ImportDeps;
}> {
  const t = await openTestDb();
  const connections = new ConnectionRepository(
    t.db.kysely,
    await SecretBox.fromBase64Key(SecretBox.generateKey()),
  );
  await insertBot(t.db, 'shop');
  const deps: ImportDeps = {
    db: t.db,
    connections,
    logger: silentLogger,
    fetch,
    sleep: clock.sleep,
    now: clock.now,
  };
  return { t, connections, deps };
}

/**
 * Each customer with a phone keeps it raw, in the form the shop typed, every form normalizing to
 * the same E.164; and the shop holds phones in every form.
 */
export function expectRawPhones(
  customers: ReadonlyArray<{ externalId: string; phones: string[] }>,
  data: ShopData,
): void {
  const forms = new Set<string>();
  for (const s of data.customers.filter((c) => c.phone)) {
    const c = customers.find((x) => x.externalId === String(s.id))!;
    expect(c.phones).toEqual([s.phone!.raw]);
    const key = normalizePhone(c.phones[0]!);
    expect(key.ok && key.e164).toBe(`+81${s.phone!.digits.slice(1)}`);
    forms.add(s.phone!.format);
  }
  expect([...forms].sort()).toEqual(['e164', 'fullwidth', 'hyphen', 'plain', 'spaced', 'split']);
}
