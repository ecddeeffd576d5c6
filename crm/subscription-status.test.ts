import { describe, expect, it } from 'vitest';
import { CART_KINDS } from './cart-kind.ts';
import type { CartKind } from './cart-kind.ts';
import { normalizeSubscriptionStatus } from './subscription-status.ts';
import type { SubscriptionStatus } from './subscription-status.ts';

const MAPPED: [CartKind, string, SubscriptionStatus][] = [
  // F4.3
  ['repeatplus', '継続', 'active'],
  ['repeatplus', '一時停止', 'paused'],
  ['repeatplus', '解約済', 'cancelled'],
  ['subsc_store', '継続', 'active'],
  ['subsc_store', '停止', 'paused'],
  ['subsc_store', '終了', 'cancelled'],
  ['ecforce', '有効', 'active'],
  ['ecforce', '停止', 'paused'],
  ['ecforce', 'キャンセル', 'cancelled'],
  ['rakuraku', 'ご注文継続', 'active'],
  ['rakuraku', '休止', 'paused'],
  ['rakuraku', 'ご解約', 'cancelled'],
  ['shopify', 'アクティブ', 'active'],
  ['shopify', '停止', 'paused'],
  ['shopify', '解約', 'cancelled'],
  // Shopify's SubscriptionContractSubscriptionStatus, and the webhooks' lower case
  ['shopify', 'ACTIVE', 'active'],
  ['shopify', 'PAUSED', 'paused'],
  ['shopify', 'CANCELLED', 'cancelled'],
  ['shopify', 'EXPIRED', 'cancelled'],
  ['shopify', 'FAILED', 'cancelled'],
  ['shopify', 'active', 'active'],
  ['shopify', 'cancelled', 'cancelled'],
  // ecforce state codes (research §3.4)
  ['ecforce', 'active', 'active'],
  ['ecforce', 'suspend', 'paused'],
  ['ecforce', 'canceled', 'cancelled'],
  // integrator labels for 楽楽リピート and サブスクストア (research §6.2, §6.4)
  ['rakuraku', '定期継続中', 'active'],
  ['rakuraku', '解約済み', 'cancelled'],
  ['subsc_store', '定期継続中', 'active'],
  ['subsc_store', '休止', 'paused'],
  ['subsc_store', '解約済み', 'cancelled'],
  // Rakuten ReserveAPI reserveStatus (research §2.3)
  ['rakuten', '1', 'active'],
  ['rakuten', '申込中', 'active'],
];

describe('normalizeSubscriptionStatus', () => {
  it.each(MAPPED)('%s %j → %s', (cart, raw, status) => {
    expect(normalizeSubscriptionStatus(cart, raw)).toEqual({ status, raw });
  });

  it('ignores surrounding spaces, full-width letters and case, but keeps raw as received', () => {
    expect(normalizeSubscriptionStatus('shopify', ' Active\n')).toEqual({
      status: 'active',
      raw: ' Active\n',
    });
    expect(normalizeSubscriptionStatus('ecforce', 'ＳＵＳＰＥＮＤ')).toEqual({
      status: 'paused',
      raw: 'ＳＵＳＰＥＮＤ',
    });
    expect(normalizeSubscriptionStatus('repeatplus', '\u3000継続\u3000').status).toBe('active');
    expect(normalizeSubscriptionStatus('rakuten', '１').status).toBe('active');
  });

  it("reads a value by its cart's mapping only", () => {
    // 停止 is paused in ecforce and サブスクストア, unknown in リピスト (whose word is 一時停止)
    expect(normalizeSubscriptionStatus('repeatplus', '停止').status).toBe('unknown');
    // ecforce spells canceled with one l; Shopify's enum with two
    expect(normalizeSubscriptionStatus('ecforce', 'cancelled').status).toBe('unknown');
    expect(normalizeSubscriptionStatus('shopify', 'canceled').status).toBe('unknown');
    expect(normalizeSubscriptionStatus('shopify', 'suspend').status).toBe('unknown');
    expect(normalizeSubscriptionStatus('rakuraku', '継続').status).toBe('unknown');
  });

  it.each([
    ['shopify', ''],
    ['shopify', 'PENDING'],
    ['ecforce', 'unknown_state'],
    ['rakuten', '101'], // shop-defined reserve status
    ['rakuten', '2'],
    ['subsc_store', '解約'],
    ['rakuraku', 'constructor'], // must not reach Object.prototype
    ['ecforce', '__proto__'],
    ['shopify', 'toString'],
  ] as [CartKind, string][])('%s %j → unknown, raw kept', (cart, raw) => {
    expect(normalizeSubscriptionStatus(cart, raw)).toEqual({ status: 'unknown', raw });
  });

  it('never throws and maps nothing for carts without a documented status', () => {
    for (const cart of ['futureshop', 'colorme', 'makeshop'] as const)
      for (const raw of ['ACTIVE', '継続', '有効', '1'])
        expect(normalizeSubscriptionStatus(cart, raw)).toEqual({ status: 'unknown', raw });
  });

  it('gives every cart a mapping (or none) without throwing on any input', () => {
    for (const cart of CART_KINDS)
      for (const raw of ['', ' ', '???', 'ACTIVE', '継続', 'hasOwnProperty'])
        expect(() => normalizeSubscriptionStatus(cart, raw)).not.toThrow();
  });
});
