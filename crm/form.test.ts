import { describe, expect, it } from 'vitest';
import {
  formDefinitionSchema,
  IDENTITY_FORM,
  parseSubmission,
  type FormDefinition,
} from './form.ts';

const TODAY = '2026-11-24';
const label = { ja: 'ラベル', en: 'Label' };
const form: FormDefinition = {
  ...IDENTITY_FORM,
  fields: [
    { key: 'phone', type: 'phone', label, required: true },
    { key: 'email', type: 'email', label, required: false },
    { key: 'name', type: 'name', label, required: false, maxLength: 20 },
    { key: 'kana', type: 'furigana', label, required: false },
    { key: 'birthday', type: 'birthday', label, required: false },
    { key: 'note', type: 'text', label, required: false, maxLength: 10 },
    { key: 'consent', type: 'consent', label, required: true },
  ],
};
const parse = (values: Record<string, unknown>) =>
  parseSubmission(form, { consent: true, phone: '09012345678', ...values }, TODAY);
const errorsOf = (values: Record<string, unknown>) => {
  const r = parse(values);
  return r.ok ? [] : r.errors.map((e) => e.field);
};

describe('parseSubmission (F2.3)', () => {
  it.each([
    '090-1234-5678',
    '09012345678',
    '０９０－１２３４－５６７８',
    '090 1234 5678',
    '+81 90-1234-5678',
    '+819012345678',
    '090ー1234ー5678',
  ])('reads %s as +819012345678', (phone) => {
    const r = parse({ phone });
    expect(r.ok && r.identity.phone).toBe('+819012345678');
  });

  it('keeps numbers with another country code, and refuses what is no phone number', () => {
    const us = parse({ phone: '+1 202-555-0143' });
    expect(us.ok && us.identity.phone).toBe('+12025550143');
    for (const phone of ['12345', 'abc', '090-1234-567', '090-1234-56789', '+999 1234'])
      expect(errorsOf({ phone }), phone).toEqual(['values.phone']);
  });

  it('gives each error in Japanese and English', () => {
    const r = parse({ phone: '090-1234-567' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors[0]!.message).toEqual({ ja: expect.any(String), en: expect.any(String) });
  });

  it('trims and lower-cases e-mail, and refuses what is not one', () => {
    const r = parse({ email: ' Taro.Yamada@Example.CO.JP ' });
    expect(r.ok && r.identity.email).toBe('taro.yamada@example.co.jp');
    expect(errorsOf({ email: 'taro@' })).toEqual(['values.email']);
  });

  it('stores furigana as katakana, from hiragana or katakana; refuses kanji', () => {
    const hira = parse({ kana: 'やまだ　たろう' });
    expect(hira.ok && hira.identity.nameKana).toBe('ヤマダ タロウ');
    const kata = parse({ kana: 'ヤマダ タロー' });
    expect(kata.ok && kata.identity.nameKana).toBe('ヤマダ タロー');
    expect(errorsOf({ kana: '山田' })).toEqual(['values.kana']);
  });

  it('takes a birthday as a real past date', () => {
    const r = parse({ birthday: '1990-02-28' });
    expect(r.ok && r.identity.birthday).toBe('1990-02-28');
    for (const birthday of ['1990-02-30', '1990/02/28', TODAY, '2030-01-01', '1800-01-01'])
      expect(errorsOf({ birthday }), birthday).toEqual(['values.birthday']);
  });

  it('needs required fields and consent, refuses unknown fields, wrong types and long values', () => {
    expect(errorsOf({ phone: '  ' })).toEqual(['values.phone']);
    expect(errorsOf({ consent: false })).toEqual(['values.consent']);
    expect(errorsOf({ consent: 'true' })).toEqual(['values.consent']);
    expect(errorsOf({ userId: 'U123' })).toEqual(['values.userId']);
    expect(errorsOf({ name: 7 })).toEqual(['values.name']);
    expect(errorsOf({ name: 'あ'.repeat(21) })).toEqual(['values.name']);
    expect(errorsOf({ note: 'x'.repeat(11) })).toEqual(['values.note']);
    expect(errorsOf({ phone: '0'.repeat(31) })).toEqual(['values.phone']);
  });

  it('keeps optional fields left empty out of what is stored', () => {
    const r = parse({ email: '', note: ' memo ' });
    expect(r.ok && r.values).toEqual({ phone: '+819012345678', note: 'memo', consent: true });
    expect(r.ok && r.identity).toEqual({ phone: '+819012345678' });
  });
});

describe('formDefinitionSchema', () => {
  it('accepts the identity template', () => {
    expect(formDefinitionSchema.parse(IDENTITY_FORM)).toEqual(IDENTITY_FORM);
  });

  it('refuses duplicate keys, two phone fields, unknown properties and lengths past the type’s', () => {
    const bad = formDefinitionSchema.safeParse({
      ...IDENTITY_FORM,
      fields: [
        { key: 'a', type: 'phone', label },
        { key: 'a', type: 'phone', label },
        { key: 'b', type: 'email', label, maxLength: 500 },
        { key: 'c', type: 'text', label, placeholder: 'x' },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['fields.1.key', 'fields.1.type', 'fields.2.maxLength', 'fields.3']),
    );
  });
});
