import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePng } from './line.ts';
import { startFake, type Harness } from './line/harness.ts';
import { imageSize } from './line/png.ts';

let h: Harness;
let api: messagingApi.MessagingApiClient;
let blob: messagingApi.MessagingApiBlobClient;
beforeEach(async () => {
  // This file sends requests LINE's spec rejects on purpose, and checks each refusal itself.
  h = await startFake({ expectSpecViolations: true });
  const channelAccessToken = h.channels[0]!.accessToken;
  api = new messagingApi.MessagingApiClient({ channelAccessToken, baseURL: h.url });
  blob = new messagingApi.MessagingApiBlobClient({ channelAccessToken, baseURL: h.url });
});
afterEach(async () => {
  await h.close();
});

const menu = (name = 'メイン'): messagingApi.RichMenuRequest => ({
  size: { width: 2500, height: 843 },
  selected: true,
  name,
  chatBarText: 'メニュー',
  areas: [
    {
      bounds: { x: 0, y: 0, width: 1250, height: 843 },
      action: { type: 'uri', label: '購入履歴', uri: 'https://example.com/liff/orders' },
    },
    {
      bounds: { x: 1250, y: 0, width: 1250, height: 843 },
      action: { type: 'richmenuswitch', richMenuAliasId: 'tab-b', data: 'tab=b' },
    },
  ],
});
const png = (w = 2500, hgt = 843) => new Blob([makePng(w, hgt)], { type: 'image/png' });

async function status(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => 200,
    (e: unknown) => (e instanceof HTTPFetchError ? e.status : -1),
  );
}

async function readyMenu(name?: string) {
  const { richMenuId } = await api.createRichMenu(menu(name));
  await blob.setRichMenuImage(richMenuId, png());
  return richMenuId;
}

describe('rich menus', () => {
  it('creates, lists, gets and deletes', async () => {
    await api.validateRichMenuObject(menu());
    const { richMenuId } = await api.createRichMenu(menu());
    expect(richMenuId).toMatch(/^richmenu-[0-9a-f]{32}$/);
    expect(await api.getRichMenu(richMenuId)).toEqual({ ...menu(), richMenuId });
    expect((await api.getRichMenuList()).richmenus.map((m) => m.richMenuId)).toEqual([richMenuId]);
    await api.deleteRichMenu(richMenuId);
    expect(await status(api.getRichMenu(richMenuId))).toBe(404);
    expect(h.line.specViolations).toEqual([]);
  });

  it('refuses menus LINE refuses: missing fields, bad size, bad areas', async () => {
    const narrow = { ...menu(), size: { width: 500, height: 843 } };
    expect(await status(api.createRichMenu(narrow))).toBe(400);
    const { chatBarText: _c, ...noBar } = menu();
    expect(await status(api.createRichMenu(noBar))).toBe(400);
    const outside = {
      ...menu(),
      areas: [
        {
          bounds: { x: 2000, y: 0, width: 1000, height: 843 },
          action: { type: 'message', text: 'x' },
        },
      ],
    };
    expect(await status(api.createRichMenu(outside as messagingApi.RichMenuRequest))).toBe(400);
    expect(await status(api.createRichMenu({ ...menu(), chatBarText: 'x'.repeat(15) }))).toBe(400);
    expect(h.line.specViolations).toHaveLength(4);
  });

  it('uploads and downloads the image on the data host, checking its pixel size', async () => {
    const { richMenuId } = await api.createRichMenu(menu());
    expect(await status(blob.setRichMenuImage(richMenuId, png(2500, 1686)))).toBe(400);
    await blob.setRichMenuImage(richMenuId, png());
    expect(await status(blob.setRichMenuImage(richMenuId, png()))).toBe(400); // cannot replace
    const stream = await blob.getRichMenuImage(richMenuId);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(imageSize(Buffer.concat(chunks))).toEqual({ width: 2500, height: 843, type: 'png' });
    const gif = await h.call('POST', `/v2/bot/richmenu/${richMenuId}/content`, {
      body: 'GIF89a',
      headers: { 'content-type': 'image/gif' },
    });
    expect(gif.status).toBe(415);
  });

  it('sets, gets and clears the default menu', async () => {
    const id = await readyMenu();
    expect(await status(api.getDefaultRichMenuId())).toBe(404);
    await api.setDefaultRichMenu(id);
    expect(await api.getDefaultRichMenuId()).toEqual({ richMenuId: id });
    await api.cancelDefaultRichMenu();
    expect(await status(api.getDefaultRichMenuId())).toBe(404);
  });

  it('manages aliases', async () => {
    const a = await readyMenu('A');
    const b = await readyMenu('B');
    await api.createRichMenuAlias({ richMenuAliasId: 'tab-b', richMenuId: a });
    expect(await status(api.createRichMenuAlias({ richMenuAliasId: 'tab-b', richMenuId: a }))).toBe(
      400,
    );
    expect(
      await status(api.createRichMenuAlias({ richMenuAliasId: 'Bad Alias!', richMenuId: a })),
    ).toBe(400);
    await api.updateRichMenuAlias('tab-b', { richMenuId: b });
    expect(await api.getRichMenuAlias('tab-b')).toEqual({
      richMenuAliasId: 'tab-b',
      richMenuId: b,
    });
    expect((await api.getRichMenuAliasList()).aliases).toHaveLength(1);
    await api.deleteRichMenuAlias('tab-b');
    expect(await status(api.getRichMenuAlias('tab-b'))).toBe(404);
    expect(h.line.specViolations.map((v) => v.operationId)).toEqual(['createRichMenuAlias']);
  });

  it('links per user over the default, and unlinks', async () => {
    const def = await readyMenu('default');
    const vip = await readyMenu('vip');
    await api.setDefaultRichMenu(def);
    const u = h.line.addUser();
    expect(h.line.richMenus.shownTo(u.userId)).toBe(def);
    await api.linkRichMenuIdToUser(u.userId, vip);
    expect(await api.getRichMenuIdOfUser(u.userId)).toEqual({ richMenuId: vip });
    expect(h.line.richMenus.shownTo(u.userId)).toBe(vip);
    await api.unlinkRichMenuIdFromUser(u.userId);
    expect(await status(api.getRichMenuIdOfUser(u.userId))).toBe(404);
    expect(h.line.richMenus.shownTo(u.userId)).toBe(def);
  });

  it('refuses links LINE refuses, and skips non-friends silently', async () => {
    const u = h.line.addUser();
    const { richMenuId: noImage } = await api.createRichMenu(menu());
    expect(await status(api.linkRichMenuIdToUser(u.userId, noImage))).toBe(400);
    expect(await status(api.linkRichMenuIdToUser(u.userId, 'richmenu-missing'))).toBe(404);
    expect(await status(api.linkRichMenuIdToUser('bob', noImage))).toBe(400);
    const id = await readyMenu();
    h.line.users.block(u.userId);
    await api.linkRichMenuIdToUser(u.userId, id);
    expect(h.line.richMenus.linkedTo(u.userId)).toBeUndefined();
  });

  it('bulk-links and bulk-unlinks with 202', async () => {
    const id = await readyMenu();
    const ids = [h.line.addUser().userId, h.line.addUser().userId];
    const res = await api.linkRichMenuIdToUsersWithHttpInfo({ richMenuId: id, userIds: ids });
    expect(res.httpResponse.status).toBe(202);
    expect(ids.map((u) => h.line.richMenus.linkedTo(u))).toEqual([id, id]);
    expect(
      await status(api.linkRichMenuIdToUsers({ richMenuId: 'richmenu-missing', userIds: ids })),
    ).toBe(404);
    expect(
      (await api.unlinkRichMenuIdFromUsersWithHttpInfo({ userIds: ids })).httpResponse.status,
    ).toBe(202);
    expect(ids.map((u) => h.line.richMenus.linkedTo(u))).toEqual([undefined, undefined]);
  });

  it('refuses bulk calls of no users or more than 500 as the spec does', async () => {
    const id = await readyMenu();
    const many = Array.from({ length: 501 }, () => `U${'0'.repeat(32)}`);
    expect(await status(api.linkRichMenuIdToUsers({ richMenuId: id, userIds: many }))).toBe(400);
    expect(await status(api.unlinkRichMenuIdFromUsers({ userIds: [] }))).toBe(400);
    expect(h.line.specViolations.map((v) => v.operationId)).toEqual([
      'linkRichMenuIdToUsers',
      'unlinkRichMenuIdFromUsers',
    ]);
  });

  it('deleting a menu drops its links and the default', async () => {
    const id = await readyMenu();
    const u = h.line.addUser();
    await api.setDefaultRichMenu(id);
    await api.linkRichMenuIdToUser(u.userId, id);
    await api.deleteRichMenu(id);
    expect(h.line.richMenus.shownTo(u.userId)).toBeUndefined();
  });
});
