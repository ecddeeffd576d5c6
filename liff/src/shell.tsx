import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { Lang } from './api.ts';
import { t } from './i18n.ts';

/**
 * The page's language. The default may arrive late (LIFF's language, once the SDK has started), and
 * then must not undo what the shopper already chose with the switch.
 */
export function useLang(initial: Lang) {
  const [lang, setLang] = useState(initial);
  const chosen = useRef(false);
  return {
    lang,
    choose(next: Lang) {
      chosen.current = true;
      setLang(next);
    },
    suggest(next: Lang) {
      if (!chosen.current) setLang(next);
    },
  };
}

/** The frame both mini-apps share: a heading and the language switch. */
export function Shell(props: {
  title: string;
  lang: Lang;
  onLang(lang: Lang): void;
  children: ComponentChildren;
}) {
  const other: Lang = props.lang === 'ja' ? 'en' : 'ja';
  return (
    <main lang={props.lang}>
      <header>
        <h1>{props.title}</h1>
        <button
          type="button"
          class="lang"
          lang={other}
          onClick={() => {
            document.documentElement.lang = other;
            props.onLang(other);
          }}
        >
          {t(props.lang, 'switchLang')}
        </button>
      </header>
      {props.children}
    </main>
  );
}

/** Keeps `?liffMock=1` and `?lang=` when linking from one mini-app to the other. */
export function appUrl(botId: string, app: 'identity' | 'purchases'): string {
  const keep = new URLSearchParams();
  const here = new URLSearchParams(location.search);
  for (const key of ['liffMock', 'lang']) {
    const value = here.get(key);
    if (value) keep.set(key, value);
  }
  const query = keep.toString();
  return `/liff/${encodeURIComponent(botId)}/${app}${query ? `?${query}` : ''}`;
}
