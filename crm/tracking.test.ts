import { describe, expect, it } from 'vitest';
import { shownCarrier, threeMonthsBefore, trackingUrl } from './tracking.ts';

describe('tracking (F8.2)', () => {
  it('links each named carrier’s public tracking page with the number’s digits', () => {
    expect(trackingUrl('yamato', '1234-5678-9012')).toBe(
      'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=123456789012',
    );
    expect(trackingUrl('sagawa', '１２３４ ５６７８ ９０１２')).toBe(
      'https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=123456789012',
    );
    expect(trackingUrl('japanpost', 'AB123456789JP')).toBe(
      'https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=AB123456789JP&searchKind=S002&locale=ja',
    );
  });

  it('names no other carrier, and links no missing or unusable number', () => {
    expect(shownCarrier('other')).toBeNull();
    expect(shownCarrier(null)).toBeNull();
    expect(trackingUrl('other', '123456789012')).toBeNull();
    expect(trackingUrl('yamato', null)).toBeNull();
    expect(trackingUrl('yamato', '12')).toBeNull();
    expect(trackingUrl('yamato', '1234&x=<script>')).toBeNull();
  });

  it('starts the history three calendar months back', () => {
    expect(threeMonthsBefore(new Date('2026-11-24T03:00:00Z')).toISOString()).toBe(
      '2026-08-24T03:00:00.000Z',
    );
  });
});
