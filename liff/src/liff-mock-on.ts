import type { Liff } from '@line/liff/core';

type MockValues = Record<string, unknown>;

declare global {
  interface Window {
    /** What the LIFF mock answers (getIDToken, getLanguage, isInClient, …); set by tests. */
    kizunaLiffMock?: MockValues;
  }
}

/** Development builds only: installs @line/liff-mock, loaded as its own chunk on demand. */
export const loadLiffMock: ((liff: Liff, liffId: string) => Promise<void>) | null = async (
  liff,
  liffId,
) => {
  const { LiffMockPlugin } = await import('@line/liff-mock');
  // The plugin is typed against the full SDK; the pluggable core it extends is a subset.
  liff.use(new LiffMockPlugin() as never);
  // The mock widens init() and adds $mock, which the plugin's types do not declare on Liff.
  const mocked = liff as unknown as {
    init(config: { liffId: string; mock: boolean }): Promise<void>;
    $mock: { set(values: (prev: MockValues) => MockValues): void };
    login(): void;
  };
  await mocked.init({ liffId, mock: true });
  // set() replaces the whole store: merge over the mock's defaults.
  mocked.$mock.set((prev) => ({ ...prev, getLanguage: 'ja', ...(window.kizunaLiffMock ?? {}) }));
  // The mocked getIDToken answers only after login(), as in an external browser.
  mocked.login();
};
