import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RichMenuDefinition } from '../../crm/rich-menu.ts';
import { RichMenuError } from '../../rich-menus/errors.ts';
import { loadRichMenus } from '../../rich-menus/load.ts';
import { applyRichMenus, type LoadedRichMenu } from '../../rich-menus/sync.ts';
import { makePng } from '../fakes/line.ts';
import { openMenuWorld, type MenuWorld } from './world.ts';

let w: MenuWorld;
let menus: LoadedRichMenu[];
beforeAll(async () => {
  w = await openMenuWorld();
  menus = await loadRichMenus();
});
afterAll(async () => {
  await w.close();
});
beforeEach(async () => {
  w.line.reset();
  await w.t.db.kysely.deleteFrom('rich_menus').execute();
});

const apply = (m: LoadedRichMenu[] = menus) =>
  applyRichMenus({ botId: 'shop', line: w.client, repo: w.repo, menus: m });

/** LINE's view: menu name → id, aliases, default. */
async function live() {
  const list = await w.client.listRichMenus();
  const byName = Object.fromEntries(list.map((m) => [m.name.split(':')[1]!, m.richMenuId]));
  const aliases = Object.fromEntries(
    (await w.client.listRichMenuAliases()).map((a) => [a.richMenuAliasId, a.richMenuId]),
  );
  return {
    byName,
    ids: list.map((m) => m.richMenuId),
    aliases,
    default: await w.client.getDefaultRichMenuId(),
  };
}

function edit(name: string, change: (d: RichMenuDefinition) => RichMenuDefinition) {
  return menus.map((m) =>
    m.definition.name === name ? { ...m, definition: change(m.definition) } : m,
  );
}

describe('rich menus as code: apply', () => {
  it('creates every menu with its image, the aliases and the default from scratch', async () => {
    const report = await apply();
    expect(report.created.sort()).toEqual(['member', 'tab-member', 'tab-shop']);
    const l = await live();
    expect(l.ids).toHaveLength(3);
    expect(l.aliases).toEqual({
      'tab-shop': l.byName['tab-shop'],
      'tab-member': l.byName['tab-member'],
    });
    expect(l.default).toBe(l.byName['tab-shop']);
    // Every menu got its image: LINE shows it to a friend linked to it.
    const u = w.line.addUser();
    await w.client.linkRichMenu(u.userId, l.byName.member!);
    expect(w.line.richMenus.shownTo(u.userId)).toBe(l.byName.member);
    const applied = await w.repo.applied('shop');
    expect(applied.map((a) => [a.name, a.richMenuId])).toEqual(
      ['member', 'tab-member', 'tab-shop'].map((n) => [n, l.byName[n]]),
    );
  });

  it('changes nothing on LINE when run again', async () => {
    await apply();
    const before = w.line.accepted.length;
    const again = await apply();
    expect(w.mutations(before)).toEqual([]);
    expect(again.created).toEqual([]);
    expect(again.kept.sort()).toEqual(['member', 'tab-member', 'tab-shop']);
  });

  it('replaces only a changed menu, moving its alias and the default before deleting the old one', async () => {
    await apply();
    const first = await live();
    const before = w.line.accepted.length;
    const report = await apply(edit('tab-shop', (d) => ({ ...d, chatBarText: 'ショップ' })));
    expect(report.created).toEqual(['tab-shop']);
    expect(report.deleted).toEqual([first.byName['tab-shop']]);
    const now = await live();
    expect(now.byName['tab-member']).toBe(first.byName['tab-member']);
    expect(now.byName.member).toBe(first.byName.member);
    expect(now.aliases['tab-shop']).toBe(now.byName['tab-shop']);
    expect(now.default).toBe(now.byName['tab-shop']);
    // Order: create, image, alias, default, and the delete last.
    expect(
      w.mutations(before).map((r) => `${r.method} ${r.path.replace(/richmenu-\w+/, 'ID')}`),
    ).toEqual([
      'POST /v2/bot/richmenu',
      'POST /v2/bot/richmenu/ID/content',
      'POST /v2/bot/richmenu/alias/tab-shop',
      'POST /v2/bot/user/all/richmenu/ID',
      'DELETE /v2/bot/richmenu/ID',
    ]);
  });

  it('stops with LINE’s reason when LINE refuses an image, leaving the live menus as they were', async () => {
    await apply();
    const first = await live();
    w.line.inject({
      method: 'POST',
      path: /\/content$/,
      status: 400,
      body: { message: 'Image processing failed' },
    });
    const changed = edit('member', (d) => ({ ...d, chatBarText: '会員' }));
    const error = await apply(changed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RichMenuError);
    expect((error as RichMenuError).code).toBe('line_refused');
    expect((error as RichMenuError).message).toContain('Image processing failed');
    expect((error as RichMenuError).menu).toBe('member');
    expect(await live()).toEqual(first);
    expect((await w.repo.applied('shop')).find((a) => a.name === 'member')?.richMenuId).toBe(
      first.byName.member,
    );
  });

  it('stops with LINE’s reason when LINE refuses an alias, undoing what it had done', async () => {
    await apply();
    const first = await live();
    w.line.inject({
      method: 'POST',
      path: '/v2/bot/richmenu/alias/tab-member',
      status: 400,
      body: { message: 'richmenu alias quota exceeded' },
    });
    const changed = edit('tab-shop', (d) => ({ ...d, chatBarText: 'ショップ' })).map((m) =>
      m.definition.name === 'tab-member'
        ? { ...m, definition: { ...m.definition, chatBarText: '会員' } }
        : m,
    );
    const error = (await apply(changed).catch((e: unknown) => e)) as RichMenuError;
    expect(error.code).toBe('line_refused');
    expect(error.message).toMatch(/alias "tab-member".*richmenu alias quota exceeded/);
    // tab-shop's alias had moved already: moved back; both new menus deleted; default untouched.
    expect(await live()).toEqual(first);
  });

  it('refuses an image of the wrong size or format before calling LINE', async () => {
    const wrongSize = menus.map((m) =>
      m.definition.name === 'member' ? { ...m, image: makePng(2500, 843) } : m,
    );
    await expect(apply(wrongSize)).rejects.toThrow(
      'rich menu "member": image member.png is 2500×843 pixels; the menu\'s size is 2500×1686',
    );
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00');
    const wrongFormat = menus.map((m) =>
      m.definition.name === 'member' ? { ...m, image: gif } : m,
    );
    await expect(apply(wrongFormat)).rejects.toThrow(
      /image member.png is GIF; LINE takes PNG or JPEG/,
    );
    const big = menus.map((m) =>
      m.definition.name === 'member' ? { ...m, image: new Uint8Array(1024 * 1024 + 1) } : m,
    );
    await expect(apply(big)).rejects.toMatchObject({ code: 'invalid_image' });
    expect(w.line.accepted).toEqual([]);
  });

  it('refuses definitions LINE would refuse, naming the field', async () => {
    const tooLong = edit('member', (d) => ({ ...d, chatBarText: 'あ'.repeat(15) }));
    await expect(apply(tooLong)).rejects.toMatchObject({ code: 'invalid_definition' });
    const outside = edit('member', (d) => ({
      ...d,
      areas: [{ ...d.areas[0]!, bounds: { x: 2000, y: 0, width: 600, height: 100 } }],
    }));
    await expect(apply(outside)).rejects.toThrow(
      /^2\.areas\.0\.bounds: lies outside the 2500×1686 menu/,
    );
    const dangling = edit('member', (d) => ({
      ...d,
      areas: [
        { ...d.areas[0]!, action: { type: 'richmenuswitch', richMenuAliasId: 'nope', data: 'x' } },
      ],
    }));
    await expect(apply(dangling)).rejects.toThrow(/no menu has the alias "nope"/);
    expect(w.line.accepted).toEqual([]);
  });

  it('clears the default and deletes menus and aliases whose definitions are gone', async () => {
    await apply();
    const report = await apply(menus.filter((m) => m.definition.name === 'member'));
    expect(report.defaultChanged).toBeNull();
    expect(report.aliases.deleted.sort()).toEqual(['tab-member', 'tab-shop']);
    const l = await live();
    expect(Object.keys(l.byName)).toEqual(['member']);
    expect(l.aliases).toEqual({});
    expect(l.default).toBeUndefined();
  });

  it('never touches menus it did not make, nor a default it did not set', async () => {
    const theirs = await w.client.createRichMenu({
      size: { width: 2500, height: 843 },
      selected: false,
      name: 'made in OA Manager',
      chatBarText: 'お店',
      areas: [
        {
          bounds: { x: 0, y: 0, width: 2500, height: 843 },
          action: { type: 'message', text: 'x' },
        },
      ],
    });
    await w.client.setRichMenuImage(theirs, makePng(2500, 843), 'image/png');
    await w.client.setDefaultRichMenu(theirs);
    const before = w.line.accepted.length;
    await apply(menus.filter((m) => m.definition.name === 'member'));
    expect(w.mutations(before).map((r) => r.path)).not.toContain(`/v2/bot/richmenu/${theirs}`);
    const l = await live();
    expect(l.ids).toContain(theirs);
    expect(l.default).toBe(theirs);
  });
});
