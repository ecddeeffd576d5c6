import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  richMenuDefinitionSchema,
  richMenuSetSchema,
  type RichMenuDefinition,
} from './rich-menu.ts';

const menu = (over: Partial<RichMenuDefinition> = {}): RichMenuDefinition => ({
  name: 'main',
  size: { width: 2500, height: 843 },
  chatBarText: 'メニュー',
  selected: true,
  image: 'main.png',
  areas: [
    { bounds: { x: 0, y: 0, width: 2500, height: 843 }, action: { type: 'message', text: 'hi' } },
  ],
  ...over,
});
const issues = (value: unknown, schema: z.ZodType = richMenuDefinitionSchema) => {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const area = { bounds: { x: 0, y: 0, width: 100, height: 100 } };

describe('rich-menu definitions against LINE’s limits', () => {
  it('accepts the usual sizes and every action shape', () => {
    expect(issues(menu())).toEqual([]);
    expect(issues(menu({ size: { width: 2500, height: 1686 } }))).toEqual([]);
    const actions = [
      { type: 'uri', label: 'ショップ', uri: 'https://shop.example/' },
      { type: 'message', text: 'こんにちは' },
      { type: 'postback', data: 'a=1', displayText: '購入履歴' },
      { type: 'richmenuswitch', richMenuAliasId: 'tab-b', data: '' },
    ];
    expect(
      issues(menu({ areas: actions.map((action) => ({ ...area, action })) as never })),
    ).toEqual([]);
  });

  it('refuses sizes, ratios and chat bar texts LINE refuses', () => {
    expect(issues(menu({ size: { width: 700, height: 300 } }))[0]).toBe(
      'size.width: Too small: expected number to be >=800',
    );
    expect(issues(menu({ size: { width: 1200, height: 1000 } }))[0]).toBe(
      'size: width/height must be ≥ 1.45',
    );
    expect(issues(menu({ chatBarText: 'あ'.repeat(15) }))[0]).toMatch(/^chatBarText: Too big/);
    expect(issues(menu({ chatBarText: 'あ'.repeat(14) }))).toEqual([]);
  });

  it('refuses more than 20 areas and areas outside the menu', () => {
    const action = { type: 'message' as const, text: 'x' };
    expect(
      issues(menu({ areas: Array.from({ length: 21 }, () => ({ ...area, action })) }))[0],
    ).toMatch(/^areas: Too big/);
    expect(
      issues(menu({ areas: [{ bounds: { x: 2400, y: 0, width: 101, height: 10 }, action }] })),
    ).toEqual(['areas.0.bounds: lies outside the 2500×843 menu']);
    expect(issues(menu({ areas: [] }))[0]).toMatch(/^areas: Too small/);
  });

  it('refuses malformed actions, naming the field', () => {
    const bad = [
      [{ type: 'uri', uri: 'javascript:alert(1)' }, 'areas.0.action.uri'],
      [{ type: 'message', text: '' }, 'areas.0.action.text'],
      [{ type: 'postback', data: 'x'.repeat(301) }, 'areas.0.action.data'],
      [
        { type: 'richmenuswitch', richMenuAliasId: 'Tab B', data: '' },
        'areas.0.action.richMenuAliasId',
      ],
      [{ type: 'message', text: 'x', label: 'x'.repeat(21) }, 'areas.0.action.label'],
      [{ type: 'camera' }, 'areas.0.action.type'],
    ] as const;
    for (const [action, path] of bad)
      expect(issues(menu({ areas: [{ ...area, action: action as never }] }))[0]).toMatch(
        new RegExp(`^${path.replace(/\./g, '\\.')}:`),
      );
  });

  it('checks the set: unique names and aliases, one default, switches to defined aliases', () => {
    const a = menu({ name: 'a', alias: 'tab-a', default: true });
    const b = menu({
      name: 'b',
      alias: 'tab-b',
      areas: [{ ...area, action: { type: 'richmenuswitch', richMenuAliasId: 'tab-a', data: '' } }],
    });
    expect(issues([a, b], richMenuSetSchema)).toEqual([]);
    expect(issues([a, { ...b, name: 'a' }], richMenuSetSchema)).toEqual([
      '1.name: "a" is used twice',
    ]);
    expect(issues([a, { ...b, alias: 'tab-a' }], richMenuSetSchema)).toContain(
      '1.alias: "tab-a" is used twice',
    );
    expect(issues([a, { ...b, default: true }], richMenuSetSchema)).toEqual([
      ': at most one menu may be the default',
    ]);
    expect(issues([{ ...a, alias: undefined }, b], richMenuSetSchema)).toEqual([
      '1.areas.0.action.richMenuAliasId: no menu has the alias "tab-a"',
    ]);
  });
});
