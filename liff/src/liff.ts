import liff from '@line/liff/core';
import GetIDToken from '@line/liff/get-id-token';
import GetLanguage from '@line/liff/get-language';
import IsInClient from '@line/liff/is-in-client';
import IsLoggedIn from '@line/liff/is-logged-in';
import Login from '@line/liff/login';
// Resolved by the Vite config: the real mock loader in development builds, `null` in production
// ones, so @line/liff-mock never reaches a production bundle.
import { loadLiffMock } from '#liff-mock';
import type { Lang } from './api.ts';

// Only the LIFF modules the mini-apps call (the pluggable SDK): the whole SDK would be most of
// the page's weight. IsInClient goes first: the mock plugin reads it when installed.
liff.use(new IsInClient());
liff.use(new GetIDToken());
liff.use(new GetLanguage());
liff.use(new IsLoggedIn());
liff.use(new Login());

export interface LiffSession {
  /** The LIFF ID token to send to the server, or null when the shopper must log in first. */
  idToken(): string | null;
  /** Sends the shopper through LINE Login and back to this page. */
  login(): void;
  /** LINE's app language, when opened inside LINE. */
  language(): Lang | null;
}

/** True when the page asks for the LIFF mock (`?liffMock=1`) and this build carries it. */
export function wantsMock(search = location.search): boolean {
  return loadLiffMock !== null && new URLSearchParams(search).get('liffMock') === '1';
}

/**
 * Initializes LIFF once. Outside LINE in development builds, `?liffMock=1` swaps in
 * @line/liff-mock; the mock's answers come from `window.kizunaLiffMock` (tests set it).
 */
export async function initLiff(liffId: string | null): Promise<LiffSession> {
  if (wantsMock() && loadLiffMock) {
    await loadLiffMock(liff, liffId ?? '0000000000-mock');
  } else {
    if (!liffId) throw new Error('This bot has no LIFF app configured (liffId).');
    await liff.init({ liffId, withLoginOnExternalBrowser: false });
  }
  return {
    idToken: () => liff.getIDToken(),
    login: () => liff.login({ redirectUri: location.href }),
    language: () => {
      if (!liff.isInClient()) return null;
      return liff.getLanguage().toLowerCase().startsWith('en') ? 'en' : 'ja';
    },
  };
}
