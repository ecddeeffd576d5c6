import { describe, expect, it } from 'vitest';
import { friendSubscriptionStatus } from './purchase-stats.ts';

describe('friendSubscriptionStatus', () => {
  it('takes the liveliest status, null without subscriptions', () => {
    expect(friendSubscriptionStatus([])).toBeNull();
    expect(friendSubscriptionStatus([{ status: 'cancelled' }, { status: 'active' }])).toBe(
      'active',
    );
    expect(friendSubscriptionStatus([{ status: 'cancelled' }, { status: 'paused' }])).toBe(
      'paused',
    );
    expect(friendSubscriptionStatus([{ status: 'unknown' }, { status: 'cancelled' }])).toBe(
      'cancelled',
    );
    expect(friendSubscriptionStatus([{ status: 'unknown' }])).toBe('unknown');
  });
});
