import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fetchForm, readConfig, submitForm, type FormDefinition } from '../api.ts';
import { pickLang, t } from '../i18n.ts';
import { appUrl, Shell, useLang } from '../shell.tsx';
import { IdentityForm } from './IdentityForm.tsx';
import '../style.css';

const config = readConfig();
// The form's definition and LIFF start together, and the form shows without waiting for LIFF: the
// shopper types while the SDK (most of the page's weight) loads, and its ID token is only needed
// on submit.
const formLoad = config.form ? Promise.resolve(config.form) : fetchForm(config.botId, 'identity');
const liffLoad = import('../liff.ts').then(({ initLiff }) => initLiff(config.liffId));
formLoad.catch(() => undefined);
liffLoad.catch(() => undefined);

function App() {
  const { lang, choose, suggest } = useLang(pickLang(location.search, null, config.lang));
  const [form, setForm] = useState<FormDefinition | null>(config.form ?? null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    formLoad.then(setForm, () => setFailed(true));
    liffLoad.then(
      (session) => suggest(pickLang(location.search, session.language(), config.lang)),
      () => undefined,
    );
  }, []);

  return (
    <Shell title={form ? form.title[lang] : t(lang, 'loading')} lang={lang} onLang={choose}>
      {failed && <p role="alert">{t(lang, 'loadFailed')}</p>}
      {form && (
        <IdentityForm
          form={form}
          lang={lang}
          historyUrl={appUrl(config.botId, 'purchases')}
          submit={async (body) => {
            const session = await liffLoad;
            const idToken = session.idToken();
            if (!idToken) {
              session.login();
              return { kind: 'unauthorized' };
            }
            return submitForm(config.botId, 'identity', idToken, body, lang);
          }}
        />
      )}
    </Shell>
  );
}

render(<App />, document.getElementById('app')!);
