import type { FormDefinition as CrmFormDefinition } from '../../crm/form.ts';

/**
 * The LIFF API as the mini-apps use it (see the server's /api/liff routes and /api/openapi.json).
 * Type-only: the shapes the server answers (forms from the crm schemas), with no runtime schema in
 * the bundle (a phone loads every byte of it before the form is usable).
 */
export type Lang = 'ja' | 'en';
export type Text = Record<Lang, string>;

// Forms are the domain's (crm/form.ts): type-only imports, erased from the bundle.
export type { FieldType, FormField } from '../../crm/form.ts';

/** A form as the LIFF API serves it: the definition without the tags it adds. */
export type FormDefinition = Omit<CrmFormDefinition, 'tags'>;

export type SubmitResult =
  | { outcome: 'linked'; carts: { connectionId: string; cart: string; name: string }[] }
  | { outcome: 'pending'; reason: { code: string; message: Text } };

export interface ApiError {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

export type Carrier = 'yamato' | 'sagawa' | 'japanpost';

export interface Order {
  id: string;
  cart: string;
  orderedAt: string;
  totalAmount: number;
  currency: string;
  items: { name: string; quantity: number; unitPrice: number }[];
  requestedDeliveryDate: string | null;
  carrier: Carrier | null;
  trackingUrl: string | null;
}

export interface Purchases {
  linked: boolean;
  orders: Order[];
}

/** What the server injects into each mini-app's page. */
export interface PageConfig {
  botId: string;
  liffId: string | null;
  lang: Lang;
  /** The identity form's definition, when the server put it in the page (saves a round trip). */
  form?: FormDefinition;
}

export function readConfig(doc: Document = document): PageConfig {
  const text = doc.getElementById('kizuna-config')?.textContent;
  const parsed = (text ? JSON.parse(text) : {}) as Partial<PageConfig>;
  return {
    botId: parsed.botId ?? 'default',
    liffId: parsed.liffId ?? null,
    lang: parsed.lang === 'en' ? 'en' : 'ja',
    ...(parsed.form ? { form: parsed.form } : {}),
  };
}

const base = (botId: string) => `/api/liff/${encodeURIComponent(botId)}`;

export async function fetchForm(botId: string, formKey: string): Promise<FormDefinition> {
  const res = await fetch(`${base(botId)}/forms/${encodeURIComponent(formKey)}`);
  if (!res.ok) throw new Error(`form ${formKey}: HTTP ${res.status}`);
  return (await res.json()) as FormDefinition;
}

export type SubmitAnswer =
  | { kind: 'ok'; result: SubmitResult }
  | { kind: 'invalid'; fields: Record<string, string>; message: string }
  | { kind: 'unauthorized' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'failed'; status: number };

export async function submitForm(
  botId: string,
  formKey: string,
  idToken: string,
  body: { submissionId: string; values: Record<string, string | boolean> },
  lang: Lang,
): Promise<SubmitAnswer> {
  const res = await fetch(`${base(botId)}/forms/${encodeURIComponent(formKey)}/submissions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${idToken}`,
      'content-type': 'application/json',
      // Field errors come back in the page's language, not the phone's.
      'accept-language': lang,
    },
    body: JSON.stringify(body),
  });
  if (res.ok) return { kind: 'ok', result: (await res.json()) as SubmitResult };
  if (res.status === 400) {
    const { error } = (await res.json()) as ApiError;
    const fields: Record<string, string> = {};
    // The server names fields by their path in the body: `values.phone`.
    for (const f of error.fields ?? []) fields[f.field.replace(/^values\./, '')] = f.message;
    return { kind: 'invalid', fields, message: error.message };
  }
  if (res.status === 401) return { kind: 'unauthorized' };
  if (res.status === 429) {
    const retry = Number(res.headers.get('retry-after'));
    return { kind: 'rate-limited', retryAfterSeconds: Number.isFinite(retry) ? retry : 60 };
  }
  return { kind: 'failed', status: res.status };
}

export async function fetchPurchases(botId: string, idToken: string): Promise<Purchases | 401> {
  const res = await fetch(`${base(botId)}/purchases`, {
    headers: { authorization: `Bearer ${idToken}` },
  });
  if (res.status === 401) return 401;
  if (!res.ok) throw new Error(`purchases: HTTP ${res.status}`);
  return (await res.json()) as Purchases;
}
