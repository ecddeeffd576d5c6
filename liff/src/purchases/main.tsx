import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fetchPurchases, readConfig, type Lang, type Purchases } from '../api.ts';
import { pickLang, t } from '../i18n.ts';
import { initLiff } from '../liff.ts';
import { Shell, useLang } from '../shell.tsx';
import { PurchaseList } from './PurchaseList.tsx';
import '../style.css';

const config = readConfig();

type State =
  { kind: 'loading' } | { kind: 'failed'; text: 'loadFailed' | 'loginAgain' } | Purchases;

async function load(): Promise<{ state: State; lang: Lang | null }> {
  const session = await initLiff(config.liffId);
  const idToken = session.idToken();
  if (!idToken) {
    session.login();
    return { state: { kind: 'loading' }, lang: session.language() };
  }
  const answer = await fetchPurchases(config.botId, idToken);
  return {
    state: answer === 401 ? { kind: 'failed', text: 'loginAgain' } : answer,
    lang: session.language(),
  };
}

function App() {
  const { lang, choose, suggest } = useLang(pickLang(location.search, null, config.lang));
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    load().then(
      (loaded) => {
        suggest(pickLang(location.search, loaded.lang, config.lang));
        setState(loaded.state);
      },
      () => setState({ kind: 'failed', text: 'loadFailed' }),
    );
  }, []);

  return (
    <Shell title={t(lang, 'purchasesTitle')} lang={lang} onLang={choose}>
      {'orders' in state ? (
        <PurchaseList purchases={state} lang={lang} botId={config.botId} />
      ) : state.kind === 'loading' ? (
        <p aria-live="polite">{t(lang, 'loading')}</p>
      ) : (
        <p role="alert">{t(lang, state.text)}</p>
      )}
    </Shell>
  );
}

render(<App />, document.getElementById('app')!);
