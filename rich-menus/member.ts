import { defineRichMenu, row } from './define.ts';

/**
 * The full menu for friends linked to a cart customer (given by a per-friend rule, F7.2):
 * purchase history and subscription first, the shop's pages below.
 */
const top = row(2500, 0, 843, 3);
const bottom = row(2500, 843, 843, 3);
const [history, subscription, points] = top;
const [sale, ranking, contact] = bottom;

export default defineRichMenu({
  name: 'member',
  size: { width: 2500, height: 1686 },
  chatBarText: '会員メニュー',
  selected: false,
  image: 'member.png',
  areas: [
    {
      bounds: history!,
      action: {
        type: 'postback',
        label: '購入履歴',
        data: 'action=orders',
        displayText: '購入履歴',
      },
    },
    { bounds: subscription!, action: { type: 'message', label: '定期便', text: '定期便の確認' } },
    { bounds: points!, action: { type: 'message', label: 'ポイント', text: 'ポイント' } },
    { bounds: sale!, action: { type: 'message', label: 'セール', text: 'セール情報' } },
    { bounds: ranking!, action: { type: 'message', label: 'ランキング', text: 'ランキング' } },
    { bounds: contact!, action: { type: 'message', label: 'お問い合わせ', text: 'お問い合わせ' } },
  ],
});
