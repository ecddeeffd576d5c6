import { z } from 'zod';
import { normalizeEmail, normalizePhone, type PhoneResult } from './identity.ts';
import { tagNameSchema } from './tag.ts';

// Forms as data (F2.2) and what a submit of one may hold (F2.3). Pure: "today" is passed in.

export const FIELD_TYPES = [
  'phone',
  'email',
  'name',
  'furigana',
  'birthday',
  'text',
  'consent',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The fields stored on the friend: a form holds at most one of each. */
const IDENTITY_TYPES: ReadonlySet<FieldType> = new Set([
  'phone',
  'email',
  'name',
  'furigana',
  'birthday',
]);

/** Longest value accepted per type when the form sets no `maxLength` (and the most it may set). */
export const MAX_LENGTH: Readonly<Record<FieldType, number>> = {
  phone: 30,
  email: 254,
  name: 100,
  furigana: 100,
  birthday: 10,
  text: 2000,
  consent: 0,
};

const localizedSchema = z.strictObject({
  ja: z.string().trim().min(1, 'is required').max(1000),
  en: z.string().trim().min(1, 'is required').max(1000),
});
export type Localized = z.infer<typeof localizedSchema>;

export const formKeySchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1–40 lower-case letters, digits, "-" or "_"');

const fieldKeySchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'must be a letter then up to 39 letters, digits or "_"');

export const formFieldSchema = z.strictObject({
  key: fieldKeySchema,
  type: z.enum(FIELD_TYPES),
  label: localizedSchema,
  required: z.boolean().default(false),
  maxLength: z.number().int().min(1).max(MAX_LENGTH.text).optional(),
});
export type FormField = z.infer<typeof formFieldSchema>;

/** A form as staff define it (`key` comes from the path on PUT). */
export const formDefinitionSchema = z
  .strictObject({
    key: formKeySchema,
    title: localizedSchema,
    fields: z.array(formFieldSchema).min(1, 'needs at least one field').max(30),
    submitLabel: localizedSchema,
    afterSubmit: localizedSchema,
    /** Tag names added to the friend on every submit (re-added on re-submit, F2.2). */
    tags: z.array(tagNameSchema).max(20).default([]),
  })
  .superRefine((form, ctx) => {
    const keys = new Set<string>();
    const types = new Set<FieldType>();
    form.fields.forEach((field, i) => {
      if (keys.has(field.key))
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'key'], message: 'is used twice' });
      keys.add(field.key);
      if (IDENTITY_TYPES.has(field.type) && types.has(field.type))
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'type'],
          message: `a form holds one ${field.type} field at most`,
        });
      types.add(field.type);
      if (field.maxLength !== undefined && field.maxLength > MAX_LENGTH[field.type])
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'maxLength'],
          message: `is at most ${MAX_LENGTH[field.type]} for a ${field.type} field`,
        });
    });
  });
export type FormDefinition = z.infer<typeof formDefinitionSchema>;

export const IDENTITY_FORM_KEY = 'identity';

/** 本人確認フォーム: exists for every bot until staff change it. */
export const IDENTITY_FORM: FormDefinition = {
  key: IDENTITY_FORM_KEY,
  title: { ja: '本人確認フォーム', en: 'Confirm your identity' },
  fields: [
    {
      key: 'phone',
      type: 'phone',
      label: { ja: '電話番号', en: 'Phone number' },
      required: true,
    },
    {
      key: 'email',
      type: 'email',
      label: { ja: 'メールアドレス', en: 'E-mail address' },
      required: false,
    },
    {
      key: 'consent',
      type: 'consent',
      label: {
        ja: 'ご購入情報をLINEでのご案内に利用することに同意します',
        en: 'I agree that my purchase information is used for messages on LINE',
      },
      required: true,
    },
  ],
  submitLabel: { ja: '送信する', en: 'Submit' },
  afterSubmit: {
    ja: 'ご本人確認を行っています。',
    en: 'We are confirming your identity.',
  },
  tags: [],
};

/** What a submit stores on the friend (only what the shopper gave). */
export interface IdentityValues {
  phone?: string;
  email?: string;
  name?: string;
  nameKana?: string;
  birthday?: string;
}

export interface FieldError {
  field: string;
  message: Localized;
}

export type SubmissionResult =
  | { ok: true; values: Record<string, string | boolean>; identity: IdentityValues }
  | { ok: false; errors: FieldError[] };

const msg = (ja: string, en: string): Localized => ({ ja, en });

const PHONE_MESSAGES: Record<Exclude<PhoneResult, { ok: true }>['reason'], Localized> = {
  empty: msg('電話番号を入力してください', 'Enter your phone number'),
  not_a_number: msg('電話番号を数字で入力してください', 'Enter the phone number in digits'),
  too_short: msg('電話番号の桁数が足りません', 'The phone number is too short'),
  too_long: msg('電話番号の桁数が多すぎます', 'The phone number is too long'),
  invalid: msg(
    '日本の電話番号か、+から始まる国際番号を入力してください',
    'Enter a Japanese phone number, or an international one starting with +',
  ),
};

/**
 * Checks and normalizes a submit against its form (F2.3): unknown fields, types, required
 * fields, lengths; phone to E.164, e-mail trimmed and lower-cased, furigana to katakana.
 * `today` is YYYY-MM-DD in the shop's time zone (a birthday must lie before it).
 */
export function parseSubmission(
  form: FormDefinition,
  values: Record<string, unknown>,
  today: string,
): SubmissionResult {
  const errors: FieldError[] = [];
  const out: Record<string, string | boolean> = {};
  const identity: IdentityValues = {};
  const fields = new Map(form.fields.map((f) => [f.key, f]));
  for (const key of Object.keys(values)) {
    if (!fields.has(key))
      errors.push({
        field: `values.${key}`,
        message: msg('このフォームにない項目です', 'is not a field of this form'),
      });
  }
  for (const field of form.fields) {
    const path = `values.${field.key}`;
    const raw = values[field.key];
    const fail = (message: Localized) => errors.push({ field: path, message });
    if (field.type === 'consent') {
      if (raw !== undefined && typeof raw !== 'boolean') {
        fail(msg('同意の値が正しくありません', 'must be true or false'));
      } else if (field.required && raw !== true) {
        fail(msg('同意が必要です', 'must be accepted'));
      } else if (raw !== undefined) out[field.key] = raw;
      continue;
    }
    if (raw !== undefined && raw !== null && typeof raw !== 'string') {
      fail(msg('文字で入力してください', 'must be text'));
      continue;
    }
    const text = (raw ?? '').trim();
    if (text === '') {
      if (field.required)
        fail(
          field.type === 'phone'
            ? PHONE_MESSAGES.empty
            : msg(`${field.label.ja}を入力してください`, 'is required'),
        );
      continue;
    }
    const max = field.maxLength ?? MAX_LENGTH[field.type];
    if (text.length > max) {
      fail(msg(`${max}文字以内で入力してください`, `must be at most ${max} characters`));
      continue;
    }
    const parsed = parseValue(field.type, text, today);
    if ('error' in parsed) {
      fail(parsed.error);
      continue;
    }
    out[field.key] = parsed.value;
    switch (field.type) {
      case 'phone':
        identity.phone = parsed.value;
        break;
      case 'email':
        identity.email = parsed.value;
        break;
      case 'name':
        identity.name = parsed.value;
        break;
      case 'furigana':
        identity.nameKana = parsed.value;
        break;
      case 'birthday':
        identity.birthday = parsed.value;
        break;
      case 'text':
        break;
      default: {
        const unreachable: never = field.type;
        throw new Error(`unknown field type ${String(unreachable)}`);
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values: out, identity };
}

type Parsed = { value: string } | { error: Localized };

function parseValue(type: Exclude<FieldType, 'consent'>, text: string, today: string): Parsed {
  switch (type) {
    case 'phone': {
      const phone = normalizePhone(text);
      return phone.ok ? { value: phone.e164 } : { error: PHONE_MESSAGES[phone.reason] };
    }
    case 'email': {
      const email = normalizeEmail(text);
      return email.ok
        ? { value: email.email }
        : { error: msg('メールアドレスの形式が正しくありません', 'is not an e-mail address') };
    }
    case 'name':
      return { value: text.normalize('NFKC').replace(/\s+/g, ' ') };
    case 'furigana': {
      const kana = toKatakana(text.normalize('NFKC').replace(/\s+/g, ' '));
      return /^[\u30A1-\u30FA\u30FC\u30FB ]+$/.test(kana)
        ? { value: kana }
        : { error: msg('ふりがなはカナで入力してください', 'must be written in kana') };
    }
    case 'birthday':
      return parseBirthday(text, today);
    case 'text':
      return { value: text };
    default: {
      const unreachable: never = type;
      throw new Error(`unknown field type ${String(unreachable)}`);
    }
  }
}

/** ひらがな → カタカナ (the two blocks are 0x60 apart). */
function toKatakana(text: string): string {
  return text.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

function parseBirthday(text: string, today: string): Parsed {
  const value = text.normalize('NFKC');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== value)
    return { error: msg('生年月日を正しく入力してください', 'must be a date (YYYY-MM-DD)') };
  if (value >= today || value < '1900-01-01')
    return { error: msg('生年月日を正しく入力してください', 'must be a date in the past') };
  return { value };
}
