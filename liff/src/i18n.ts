import type { Carrier, Lang, Text } from './api.ts';

const messages = {
  loading: { ja: '読み込み中…', en: 'Loading…' },
  required: { ja: '必須', en: 'Required' },
  requiredError: { ja: '入力してください', en: 'Please fill this in' },
  consentError: { ja: '同意が必要です', en: 'Please agree to continue' },
  tooLong: { ja: '{n}文字以内で入力してください', en: 'Use at most {n} characters' },
  submitting: { ja: '送信中…', en: 'Sending…' },
  fixErrors: { ja: '入力内容をご確認ください', en: 'Please check the highlighted fields' },
  linked: { ja: 'ショップの会員情報と連携しました', en: 'You are now linked to your shop account' },
  linkedTo: { ja: '連携先', en: 'Linked to' },
  seeHistory: { ja: '購入履歴を見る', en: 'See your purchases' },
  pending: { ja: 'まだ連携できていません', en: 'Not linked yet' },
  retry: {
    ja: '通信できませんでした。もう一度お試しください',
    en: 'Could not send. Please try again',
  },
  rateLimited: {
    ja: '送信が多すぎます。{n}秒後にもう一度お試しください',
    en: 'Too many attempts. Please try again in {n} seconds',
  },
  loginAgain: {
    ja: 'LINEの認証が切れました。もう一度開き直してください',
    en: 'Your LINE session expired. Please open this page again',
  },
  loadFailed: { ja: '読み込めませんでした', en: 'Could not load this page' },
  switchLang: { ja: 'English', en: '日本語' },
  purchasesTitle: { ja: '購入履歴', en: 'Purchase history' },
  purchasesNote: { ja: '直近3か月・最新12件', en: 'Last 3 months, newest 12' },
  emptyTitle: { ja: '購入履歴はまだありません', en: 'No purchases to show yet' },
  emptyLink: {
    ja: 'ショップでのご購入を表示するには、会員情報を連携してください。',
    en: 'Link your shop account to see what you ordered.',
  },
  emptyLinked: {
    ja: '直近3か月のご注文はありません。',
    en: 'You have no orders from the last 3 months.',
  },
  linkAction: { ja: '会員情報を連携する', en: 'Link my account' },
  orderNo: { ja: '注文番号', en: 'Order' },
  orderedAt: { ja: '注文日', en: 'Ordered' },
  total: { ja: '合計', en: 'Total' },
  delivery: { ja: 'お届け希望日', en: 'Requested delivery' },
  carrier: { ja: '配送業者', en: 'Carrier' },
  track: { ja: '配送状況を確認', en: 'Track the parcel' },
} satisfies Record<string, Text>;

export type MessageKey = keyof typeof messages;

export function t(lang: Lang, key: MessageKey, n?: number): string {
  const text = messages[key][lang];
  return n === undefined ? text : text.replace('{n}', String(n));
}

const carriers: Record<Carrier, Text> = {
  yamato: { ja: 'ヤマト運輸', en: 'Yamato Transport' },
  sagawa: { ja: '佐川急便', en: 'Sagawa Express' },
  japanpost: { ja: '日本郵便', en: 'Japan Post' },
};

export function carrierLabel(lang: Lang, carrier: Carrier): string {
  return carriers[carrier][lang];
}

/** The language of the page: `?lang=` first, then LINE's (inside LINE), then the server's guess. */
export function pickLang(search: string, fromLine: Lang | null, fromConfig: Lang): Lang {
  const asked = new URLSearchParams(search).get('lang');
  if (asked === 'ja' || asked === 'en') return asked;
  return fromLine ?? fromConfig;
}
