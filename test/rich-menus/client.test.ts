import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLineClient } from '../../bot/line-client.ts';
import { LineApiError, type LinePort } from '../../bot/line-port.ts';
import { createFakeLine, makePng, type FakeLine } from '../fakes/line.ts';
import { testChannels } from '../fakes/line/harness.ts';

let line: FakeLine;
let server: { url: string; close(): Promise<void> };
let client: LinePort;
const urls: string[] = [];
const channel = testChannels()[0]!;

beforeAll(async () => {
  line = createFakeLine({ channels: [channel] });
  server = await line.listen(0);
  // One fake serves both hosts; two names for it tell which host each call went to.
  const port = new URL(server.url).port;
  client = createLineClient({
    channelAccessToken: channel.accessToken,
    baseURL: `http://127.0.0.1:${port}`,
    dataBaseURL: `http://localhost:${port}`,
    fetch: (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    },
  });
});
afterAll(async () => {
  await server.close();
});

const menu = {
  size: { width: 2500, height: 843 },
  selected: false,
  name: 'kizuna:test:0',
  chatBarText: 'メニュー',
  areas: [
    { bounds: { x: 0, y: 0, width: 2500, height: 843 }, action: { type: 'message', text: 'x' } },
  ],
};

describe('LINE client: rich-menu management', () => {
  it('creates a menu, uploads its image to the data host, aliases it and makes it the default', async () => {
    const id = await client.createRichMenu(menu);
    await client.setRichMenuImage(id, makePng(2500, 843), 'image/png');
    expect(urls.at(-1)).toMatch(
      /^http:\/\/localhost:\d+\/v2\/bot\/richmenu\/richmenu-\w+\/content$/,
    );
    await client.createRichMenuAlias('main', id);
    await client.setDefaultRichMenu(id);
    expect(await client.listRichMenus()).toEqual([{ ...menu, richMenuId: id }]);
    expect(await client.listRichMenuAliases()).toEqual([
      { richMenuAliasId: 'main', richMenuId: id },
    ]);
    expect(await client.getDefaultRichMenuId()).toBe(id);
    await client.cancelDefaultRichMenu();
    expect(await client.getDefaultRichMenuId()).toBeUndefined();
    const u = line.addUser();
    await client.bulkLinkRichMenu(id, [u.userId]);
    expect(line.richMenus.linkedTo(u.userId)).toBe(id);
    await client.bulkUnlinkRichMenus([u.userId]);
    expect(line.richMenus.linkedTo(u.userId)).toBeUndefined();
    await client.deleteRichMenuAlias('main');
    await client.deleteRichMenu(id);
    expect(await client.listRichMenus()).toEqual([]);
  });

  it('hands LINE’s refusal back with LINE’s message', async () => {
    const error = await client
      .updateRichMenuAlias('missing', 'richmenu-x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineApiError);
    expect(error).toMatchObject({ status: 404, kind: 'permanent' });
  });
});
