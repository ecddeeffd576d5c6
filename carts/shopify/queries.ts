// Every Admin GraphQL document the Shopify connector sends, pinned to API version 2025-01 and
// validated against the official 2025-01 introspection schema in test/carts/shopify.test.ts.
//
// Page sizes are set by Shopify's calculated query cost, not by the 250-per-connection cap: a
// query whose requestedQueryCost exceeds 1000 points is refused outright (MAX_COST_EXCEEDED), and
// every object costs 1 point per requested item. Customers cost 6 points each (node, amountSpent,
// defaultAddress, lastOrder, two consents), so 160 a page (962 points); an order with up to 10
// line items and 2 fulfillments costs 61, so 15 a page (917 points). The shared test checks both.

export const API_VERSION = '2025-01';

export const CUSTOMER_PAGE_SIZE = 160;
export const ORDER_PAGE_SIZE = 15;
export const ORDER_LINE_ITEMS = 10;
export const SUBSCRIPTION_PAGE_SIZE = 100;

// Selections shared by the paged queries and the bulk export, so both read the same fields.
const CUSTOMER_FIELDS = /* GraphQL */ `
  id
  legacyResourceId
  email
  verifiedEmail
  phone
  firstName
  lastName
  state
  numberOfOrders
  amountSpent {
    amount
    currencyCode
  }
  lastOrder {
    name
  }
  tags
  note
  emailMarketingConsent {
    marketingState
  }
  smsMarketingConsent {
    marketingState
  }
  defaultAddress {
    phone
    company
    zip
    province
    city
    address1
    address2
  }
  createdAt
  updatedAt
`;

// Fulfillments and tracking are plain lists (no connection): `first` bounds their cost.
const ORDER_FIELDS = /* GraphQL */ `
  id
  legacyResourceId
  name
  email
  phone
  createdAt
  processedAt
  updatedAt
  cancelledAt
  displayFinancialStatus
  customer {
    id
  }
  billingAddress {
    phone
  }
  totalPriceSet {
    shopMoney {
      amount
      currencyCode
    }
  }
  fulfillments(first: 2) {
    createdAt
    status
    trackingInfo(first: 1) {
      company
      number
    }
  }
`;

const LINE_ITEM_FIELDS = /* GraphQL */ `
  sku
  name
  quantity
  originalUnitPriceSet {
    shopMoney {
      amount
    }
  }
  sellingPlan {
    name
  }
  contract {
    id
  }
`;

export const VERIFY_QUERY = /* GraphQL */ `
  query KizunaVerify {
    shop {
      id
      name
      myshopifyDomain
    }
  }
`;

export const CUSTOMERS_QUERY = /* GraphQL */ `
  query KizunaCustomers($first: Int!, $after: String, $query: String) {
    customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ${CUSTOMER_FIELDS}
      }
    }
  }
`;

export const ORDERS_QUERY = /* GraphQL */ `
  query KizunaOrders($first: Int!, $after: String, $query: String, $lineItems: Int!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ${ORDER_FIELDS}
        lineItems(first: $lineItems) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ${LINE_ITEM_FIELDS}
          }
        }
      }
    }
  }
`;

/** The rest of an order's line items, for the rare order with more than ORDER_LINE_ITEMS. */
export const ORDER_LINE_ITEMS_QUERY = /* GraphQL */ `
  query KizunaOrderLineItems($id: ID!, $after: String) {
    order(id: $id) {
      lineItems(first: 150, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ${LINE_ITEM_FIELDS}
        }
      }
    }
  }
`;

export const SUBSCRIPTIONS_QUERY = /* GraphQL */ `
  query KizunaSubscriptions($first: Int!, $after: String, $query: String) {
    subscriptionContracts(first: $first, after: $after, query: $query) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        status
        nextBillingDate
        updatedAt
        customer {
          id
        }
        lines(first: 1) {
          nodes {
            sku
            sellingPlanName
          }
        }
      }
    }
  }
`;

// Bulk export (the first full import): no `first` needed; nested connections come back as their
// own JSONL lines carrying `__parentId`. One bulk query runs at a time per shop, so customers and
// orders are two operations, one after the other.
export const BULK_CUSTOMERS_QUERY = /* GraphQL */ `
  {
    customers {
      edges {
        node {
          ${CUSTOMER_FIELDS}
        }
      }
    }
  }
`;

export const BULK_ORDERS_QUERY = /* GraphQL */ `
  {
    orders {
      edges {
        node {
          ${ORDER_FIELDS}
          lineItems {
            edges {
              node {
                ${LINE_ITEM_FIELDS}
              }
            }
          }
        }
      }
    }
  }
`;

const BULK_OPERATION_FIELDS = /* GraphQL */ `
  id
  status
  errorCode
  objectCount
  url
  partialDataUrl
  createdAt
  query
`;

export const BULK_RUN_MUTATION = /* GraphQL */ `
  mutation KizunaBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        ${BULK_OPERATION_FIELDS}
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** The app's running (or last) bulk query: after a crash, the one this import started. */
export const BULK_CURRENT_QUERY = /* GraphQL */ `
  query KizunaBulkCurrent {
    currentBulkOperation(type: QUERY) {
      ${BULK_OPERATION_FIELDS}
    }
  }
`;

/** One bulk operation by id: polled until done, and read again when an import resumes. */
export const BULK_POLL_QUERY = /* GraphQL */ `
  query KizunaBulkPoll($id: ID!) {
    node(id: $id) {
      ... on BulkOperation {
        ${BULK_OPERATION_FIELDS}
      }
    }
  }
`;

/**
 * requestedQueryCost of each paged document at the page sizes above, so the client can wait for
 * the bucket before the first run of a document too (the schema test recomputes every figure).
 */
export const REQUESTED_COST: ReadonlyMap<string, number> = new Map([
  [CUSTOMERS_QUERY, 962],
  [ORDERS_QUERY, 917],
  [ORDER_LINE_ITEMS_QUERY, 753],
  [SUBSCRIPTIONS_QUERY, 502],
]);

/** Every document above, for the schema test. */
export const ALL_DOCUMENTS: Readonly<Record<string, string>> = {
  VERIFY_QUERY,
  CUSTOMERS_QUERY,
  ORDERS_QUERY,
  ORDER_LINE_ITEMS_QUERY,
  SUBSCRIPTIONS_QUERY,
  BULK_CUSTOMERS_QUERY,
  BULK_ORDERS_QUERY,
  BULK_RUN_MUTATION,
  BULK_CURRENT_QUERY,
  BULK_POLL_QUERY,
};
