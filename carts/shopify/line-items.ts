// An order page asks for the first ORDER_LINE_ITEMS line items of each order (the query cost
// grows with every one asked for); the few orders with more get the rest here, so no order is
// stored with items missing.
import type { ConnectorContext } from '../connector.ts';
import { graphql, type ClientOptions, type ShopifyCredentials } from './client.ts';
import { ORDER_LINE_ITEMS_QUERY } from './queries.ts';

interface LineItems {
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  nodes: unknown[];
}

export async function completeLineItems(
  ctx: ConnectorContext<ShopifyCredentials>,
  opts: ClientOptions,
  node: unknown,
): Promise<unknown> {
  const order = node as { id?: unknown; lineItems?: LineItems } | null;
  if (typeof order?.id !== 'string' || !order.lineItems?.pageInfo?.hasNextPage) return node;
  const nodes = [...order.lineItems.nodes];
  let after = order.lineItems.pageInfo.endCursor;
  while (after) {
    const data = await graphql<{ order: { lineItems: LineItems } | null }>(
      ctx,
      opts,
      ORDER_LINE_ITEMS_QUERY,
      { id: order.id, after },
    );
    const page = data.order?.lineItems;
    if (!page) break;
    nodes.push(...page.nodes);
    after = page.pageInfo?.hasNextPage ? page.pageInfo.endCursor : null;
  }
  return { ...order, lineItems: { nodes } };
}
