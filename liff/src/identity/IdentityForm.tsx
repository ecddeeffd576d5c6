import { useEffect, useRef, useState } from 'preact/hooks';
import type { FormDefinition, FormField, Lang, SubmitAnswer, SubmitResult } from '../api.ts';
import { t } from '../i18n.ts';

export interface IdentityFormProps {
  form: FormDefinition;
  lang: Lang;
  /** The purchase history, offered once the friend is linked. */
  historyUrl: string;
  /** Sends the values; the caller adds the ID token. */
  submit(body: {
    submissionId: string;
    values: Record<string, string | boolean>;
  }): Promise<SubmitAnswer>;
}

type Values = Record<string, string | boolean>;
type Banner = { kind: 'error' | 'outcome'; text: string; result?: SubmitResult } | null;

const inputProps: Record<
  Exclude<FormField['type'], 'consent' | 'text'>,
  { type: string; autoComplete?: string; inputMode?: 'tel' | 'email' | 'text' }
> = {
  phone: { type: 'tel', autoComplete: 'tel', inputMode: 'tel' },
  email: { type: 'email', autoComplete: 'email', inputMode: 'email' },
  name: { type: 'text', autoComplete: 'name' },
  furigana: { type: 'text', autoComplete: 'off' },
  birthday: { type: 'date', autoComplete: 'bday' },
};

/** Checks only what the browser can know: required fields and lengths. The server does the rest. */
function localErrors(form: FormDefinition, values: Values, lang: Lang): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of form.fields) {
    const value = values[field.key];
    if (field.type === 'consent') {
      if (field.required && value !== true) errors[field.key] = t(lang, 'consentError');
    } else if (typeof value !== 'string' || value.trim() === '') {
      if (field.required) errors[field.key] = t(lang, 'requiredError');
    } else if (field.maxLength !== undefined && value.length > field.maxLength) {
      errors[field.key] = t(lang, 'tooLong', field.maxLength);
    }
  }
  return errors;
}

/** The identity form (本人確認フォーム), rendered from its definition: fields are data. */
export function IdentityForm({ form, lang, historyUrl, submit }: IdentityFormProps) {
  const [values, setValues] = useState<Values>(() =>
    Object.fromEntries(form.fields.map((f) => [f.key, f.type === 'consent' ? false : ''])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  const [banner, setBanner] = useState<Banner>(null);
  // One id per submit intent: a retry after a lost answer or a 429 sends the same one, so the
  // server stores one result however often the shopper taps.
  const submissionId = useRef<string | null>(null);
  const focusFirstError = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!focusFirstError.current) return;
    focusFirstError.current = false;
    const first = form.fields.find((f) => errors[f.key]);
    if (first) formRef.current?.querySelector<HTMLElement>(`#f-${first.key}`)?.focus();
  }, [errors, form.fields]);

  const showErrors = (next: Record<string, string>) => {
    focusFirstError.current = true;
    setErrors(next);
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (submitting) return;
    const local = localErrors(form, values, lang);
    if (Object.keys(local).length > 0) {
      setBanner({ kind: 'error', text: t(lang, 'fixErrors') });
      showErrors(local);
      return;
    }
    submissionId.current ??= crypto.randomUUID();
    setSubmitting(true);
    setBanner(null);
    let answer: SubmitAnswer;
    try {
      answer = await submit({ submissionId: submissionId.current, values });
    } catch {
      answer = { kind: 'failed', status: 0 };
    }
    setSubmitting(false);
    switch (answer.kind) {
      case 'ok':
        submissionId.current = null;
        setErrors({});
        setBanner({ kind: 'outcome', text: form.afterSubmit[lang], result: answer.result });
        break;
      case 'invalid': {
        // The server judged these values: the next submit, with corrected values, is a new intent.
        submissionId.current = null;
        setBanner({ kind: 'error', text: t(lang, 'fixErrors') });
        const known = Object.keys(answer.fields).some((k) => form.fields.some((f) => f.key === k));
        if (known) showErrors(answer.fields);
        else setBanner({ kind: 'error', text: answer.message });
        break;
      }
      case 'unauthorized':
        setBanner({ kind: 'error', text: t(lang, 'loginAgain') });
        break;
      case 'rate-limited':
        setBanner({ kind: 'error', text: t(lang, 'rateLimited', answer.retryAfterSeconds) });
        break;
      case 'failed':
        setBanner({ kind: 'error', text: t(lang, 'retry') });
        break;
      default: {
        const never: never = answer;
        throw new Error(`unexpected answer ${JSON.stringify(never)}`);
      }
    }
  };

  const set = (key: string, value: string | boolean) => {
    setValues((prev) => ({ ...prev, [key]: value }));
  };

  return (
    <form ref={formRef} onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={submitting}>
      {form.fields.map((field) => (
        <Field
          key={field.key}
          field={field}
          lang={lang}
          value={values[field.key] ?? ''}
          error={errors[field.key]}
          onInput={(v) => set(field.key, v)}
        />
      ))}
      <button type="submit" class="primary" disabled={submitting}>
        {submitting ? t(lang, 'submitting') : form.submitLabel[lang]}
      </button>
      <div role="status" aria-live="polite" class="live">
        {banner?.kind === 'outcome' && banner.result && (
          <Outcome text={banner.text} result={banner.result} lang={lang} historyUrl={historyUrl} />
        )}
      </div>
      <div role="alert" class="live">
        {banner?.kind === 'error' && <p class="banner error">{banner.text}</p>}
      </div>
    </form>
  );
}

function Outcome(props: { text: string; result: SubmitResult; lang: Lang; historyUrl: string }) {
  const { text, result, lang } = props;
  return (
    <div class={`banner ${result.outcome}`} data-outcome={result.outcome}>
      <p>{text}</p>
      {result.outcome === 'linked' ? (
        <>
          <p class="strong">{t(lang, 'linked')}</p>
          {result.carts.length > 0 && (
            <p>
              {t(lang, 'linkedTo')}: {result.carts.map((c) => c.name).join('、')}
            </p>
          )}
          <p>
            <a href={props.historyUrl}>{t(lang, 'seeHistory')}</a>
          </p>
        </>
      ) : (
        <>
          <p class="strong">{t(lang, 'pending')}</p>
          <p>{result.reason.message[lang]}</p>
        </>
      )}
    </div>
  );
}

interface FieldProps {
  field: FormField;
  lang: Lang;
  value: string | boolean;
  error: string | undefined;
  onInput(value: string | boolean): void;
}

function Field({ field, lang, value, error, onInput }: FieldProps) {
  const id = `f-${field.key}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: field.key,
    required: field.required,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? errorId : undefined,
  };
  const label = (
    <>
      {field.label[lang]}
      {field.required && <span class="req">{t(lang, 'required')}</span>}
    </>
  );
  const errorText = error && (
    <p id={errorId} class="field-error">
      {error}
    </p>
  );

  if (field.type === 'consent') {
    return (
      <div class={`field consent${error ? ' invalid' : ''}`}>
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onInput(e.currentTarget.checked)}
        />
        <label for={id}>{label}</label>
        {errorText}
      </div>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {field.type === 'text' ? (
        <textarea
          {...common}
          value={text}
          maxLength={field.maxLength}
          rows={3}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      ) : (
        <input
          {...common}
          {...inputProps[field.type]}
          value={text}
          maxLength={field.maxLength}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
      {errorText}
    </div>
  );
}
