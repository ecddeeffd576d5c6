import { defineRichMenu, row } from './define.ts';

/**
 * Tab 1 of the default pair: the shop. The top strip holds the two tabs; tapping "会員" switches
 * to tab-member through its alias, without a round trip through Kizuna.
 */
const [shopTab, memberTab] = row(2500, 0, 200, 2);
const [sale, ranking, contact] = row(2500, 200, 643, 3);

export default defineRichMenu({
  name: 'tab-shop',
  size: { width: 2500, height: 843 },
  chatBarText: 'メニュー',
  selected: true,
  image: 'tab-shop.png',
  alias: 'tab-shop',
  default: true,
  areas: [
    {
      bounds: shopTab!,
      action: { type: 'richmenuswitch', richMenuAliasId: 'tab-shop', data: 'tab=shop' },
    },
    {
      bounds: memberTab!,
      action: { type: 'richmenuswitch', richMenuAliasId: 'tab-member', data: 'tab=member' },
    },
    { bounds: sale!, action: { type: 'message', label: 'セール', text: 'セール情報' } },
    { bounds: ranking!, action: { type: 'message', label: 'ランキング', text: 'ランキング' } },
    { bounds: contact!, action: { type: 'message', label: 'お問い合わせ', text: 'お問い合わせ' } },
  ],
});
