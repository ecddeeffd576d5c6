import type { Liff } from '@line/liff/core';

/** Production builds: no LIFF mock, whatever the page's query says. */
export const loadLiffMock: ((liff: Liff, liffId: string) => Promise<void>) | null = null;
