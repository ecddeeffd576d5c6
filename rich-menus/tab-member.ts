import { defineRichMenu, row } from './define.ts';

/** Tab 2 of the default pair: membership — register (links the friend to the shop) and points. */
const [shopTab, memberTab] = row(2500, 0, 200, 2);
const [register, points] = row(2500, 200, 643, 2);

export default defineRichMenu({
  name: 'tab-member',
  size: { width: 2500, height: 843 },
  chatBarText: 'メニュー',
  selected: true,
  image: 'tab-member.png',
  alias: 'tab-member',
  areas: [
    {
      bounds: shopTab!,
      action: { type: 'richmenuswitch', richMenuAliasId: 'tab-shop', data: 'tab=shop' },
    },
    {
      bounds: memberTab!,
      action: { type: 'richmenuswitch', richMenuAliasId: 'tab-member', data: 'tab=member' },
    },
    {
      bounds: register!,
      action: {
        type: 'postback',
        label: '会員登録',
        data: 'action=register',
        displayText: '会員登録',
      },
    },
    { bounds: points!, action: { type: 'message', label: 'ポイント', text: 'ポイント' } },
  ],
});
