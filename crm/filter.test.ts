import { describe, expect, it } from 'vitest';
import { filterSchema, type Filter } from './filter.ts';

const paths = (value: unknown) => {
  const parsed = filterSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
};

describe('filter schema', () => {
  it('accepts every condition inside and/or/not', () => {
    const filter: Filter = {
      kind: 'or',
      filters: [
        { kind: 'not', filter: { kind: 'tags', match: 'none', tagIds: ['t'] } },
        { kind: 'birthday', from: '12-20', to: '01-10' },
        { kind: 'customData', key: 'rank', op: 'exists' },
      ],
    };
    expect(filterSchema.parse(filter)).toEqual(filter);
  });

  it('names the path of what is wrong inside the expression', () => {
    expect(
      paths({ kind: 'and', filters: [{ kind: 'friendAdded', range: { from: '2026-01-01' } }] }),
    ).toEqual(['filters.0.range.to']);
    expect(paths({ kind: 'not', filter: { kind: 'route', routeIds: ['r'], extra: 1 } })).toEqual([
      'filter',
    ]);
    expect(paths({ kind: 'purchaseStat', stat: 'orderCount', op: 'gte', value: '3' })).toEqual([
      'value',
    ]);
    expect(paths({ kind: 'purchaseStat', stat: 'orderCount', op: 'gte', value: 1.5 })).toEqual([
      'value',
    ]);
    expect(paths({ kind: 'birthday', from: '13-01', to: '01-01' })).toEqual(['from']);
    expect(paths({ kind: 'customData', key: 'k', op: 'gt', value: 'x' })).toEqual(['value']);
    expect(paths({ kind: 'purchased' })).toEqual(['productCodes']);
    expect(paths({ kind: 'nope' })).toEqual(['kind']);
  });

  it('bounds how deep and how large a filter may be', () => {
    let deep: Filter = { kind: 'route', routeIds: ['r'] };
    for (let i = 0; i < 9; i++) deep = { kind: 'not', filter: deep };
    expect(filterSchema.safeParse(deep).success).toBe(false);
    const leaf: Filter = { kind: 'route', routeIds: ['r'] };
    const wide = {
      kind: 'and',
      filters: Array.from({ length: 20 }, () => ({ kind: 'or', filters: Array(30).fill(leaf) })),
    };
    expect(filterSchema.safeParse(wide).success).toBe(false);
  });
});
