// Deterministic Japanese shop data for the cart fakes: the same seed always gives the same shop,
// and customers and orders stream one at a time so benchmarks can push millions without holding
// them. The output is cart-neutral; each fake maps it to its own wire format.
export type * from './cart-data/types.ts';
export { PRODUCTS } from './cart-data/people.ts';
export {
  generateCustomers,
  generateOrders,
  generateShop,
  generateSubscriptions,
  subscriptionOf,
} from './cart-data/generate.ts';
export { LazyShop } from './cart-data/lazy.ts';
