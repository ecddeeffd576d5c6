import type { ShopOrder } from './cart-data.ts';

/**
 * A customer's new order of one bag of drip coffee, pending, at `at`: how a fake of a cart that
 * lists only orders (楽天, 楽楽リピート) makes a customer "change".
 */
export function reorder(id: number, number: string, customerId: number, at: Date): ShopOrder {
  return {
    id,
    number,
    customerId,
    orderedAt: at,
    state: 'pending',
    items: [
      {
        productCode: 'FD-101',
        courseCode: null,
        name: 'ドリップコーヒー 20袋',
        quantity: 1,
        unitPrice: 1620,
      },
    ],
    total: 1620,
    shippedAt: null,
    deliveryDate: null,
    carrier: null,
    trackingNumber: null,
    subscriptionId: null,
    subscriptionSequence: null,
    updatedAt: at,
  };
}
