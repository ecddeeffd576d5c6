// The carts of the import benchmark, in a process of their own so neither their memory nor their
// CPU is counted as the importer's, and the import goes over real HTTP: the Shopify fake (bulk
// JSONL) and the ecforce fake (paged REST) serving one generated shop lazily. Sends
// { shopify, ecforce, customers, orders } once both listen.
import { LazyShop } from '../../test/fakes/cart-data.ts';
import { createFakeEcforce } from '../../test/fakes/ecforce.ts';
import { createFakeShopify } from '../../test/fakes/shopify.ts';

const customers = Number(process.env.CUSTOMERS ?? 1000);
const ordersPerCustomer = Number(process.env.ORDERS_PER_CUSTOMER ?? 5);
const shop = new LazyShop(20261123, customers, { ordersPerCustomer });

// No queue before the export is written: the benchmark times the import, not Shopify's queue.
const shopify = createFakeShopify({ bulkPolls: 0 });
shopify.seedLazy(shop);
const ecforce = createFakeEcforce({ apiToken: process.env.ECFORCE_TOKEN ?? 'bench' });
ecforce.seedLazy(shop);
// Built now, not inside the first request the importer times.
shop.customersByUpdate();
shop.ordersByUpdate();
// The request logs would grow by one entry per page for nothing.
setInterval(() => {
  shopify.requests.length = 0;
  ecforce.requests.length = 0;
}, 1000).unref();

// Ended by the benchmark: a normal exit, so a CPU profile (BENCH_PROFILE) is written.
process.on('SIGTERM', () => process.exit(0));

// The fakes' own CPU seconds on request: with the importer's and the database's, where the time goes.
process.on('message', (m) => {
  if (m !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.send?.({ cpu: (user + system) / 1e6 });
});

const [s, e] = await Promise.all([shopify.listen(), ecforce.listen()]);
process.send?.({
  shopify: s.url,
  shopDomain: shopify.shopDomain,
  accessToken: shopify.accessToken,
  ecforce: e.url,
  customers: shop.customers.length,
  orders: shop.orderCount,
});
