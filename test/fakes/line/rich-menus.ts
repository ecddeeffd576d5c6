// Rich menus: CRUD, images on the data host, the default menu, aliases, and per-user links
// (single and bulk). Display priority as LINE documents it: per-user link > default menu.
import { errors } from './errors.ts';
import { newRichMenuId, USER_ID } from './ids.ts';
import type { ErrorDetail } from './openapi.ts';
import type { Answer, Route } from './pipeline.ts';
import { checkImage, checkMenu, type Menu } from './rich-menu-rules.ts';
import type { World } from './world.ts';

interface ChannelMenus {
  menus: Map<string, Menu>;
  images: Map<string, { data: Uint8Array; contentType: string }>;
  aliases: Map<string, string>;
  links: Map<string, string>;
  defaultId?: string;
}

const notFound: Answer = { status: 404, body: errors.notFound, reason: 'notFound' };
const ok = (status = 200): Answer => ({ status, body: {} });
const spec = (details: ErrorDetail[]): Answer => ({
  status: 400,
  body: errors.body(details),
  reason: 'spec',
});

export function createRichMenus(world: World) {
  const byChannel = new Map<string, ChannelMenus>();
  const of = (channelId: string) => {
    let s = byChannel.get(channelId);
    if (!s)
      byChannel.set(
        channelId,
        (s = { menus: new Map(), images: new Map(), aliases: new Map(), links: new Map() }),
      );
    return s;
  };
  const badUser = (): Answer => ({
    status: 400,
    body: errors.invalidParameter('userId'),
    reason: 'invalidParameter',
  });
  const noImage: Answer = { status: 400, body: errors.richMenuNoImage, reason: 'invalidParameter' };

  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v2/bot/richmenu',
      handle({ channel, body }) {
        const details = checkMenu(body as Partial<Menu>);
        if (details.length) return spec(details);
        const richMenuId = newRichMenuId();
        of(channel.channelId).menus.set(richMenuId, { ...(body as Menu), richMenuId });
        return { status: 200, body: { richMenuId } };
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/richmenu/validate',
      handle: ({ body }) => {
        const details = checkMenu(body as Partial<Menu>);
        return details.length ? spec(details) : ok();
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/richmenu/list',
      handle: ({ channel }) => ({
        status: 200,
        body: { richmenus: [...of(channel.channelId).menus.values()] },
      }),
    },
    {
      method: 'GET',
      path: '/v2/bot/richmenu/{richMenuId}',
      handle({ channel, params }) {
        const m = of(channel.channelId).menus.get(params.richMenuId!);
        return m ? { status: 200, body: m } : notFound;
      },
    },
    {
      method: 'DELETE',
      path: '/v2/bot/richmenu/{richMenuId}',
      handle({ channel, params }) {
        const s = of(channel.channelId);
        const id = params.richMenuId!;
        if (!s.menus.delete(id)) return notFound;
        s.images.delete(id);
        for (const [u, m] of s.links) if (m === id) s.links.delete(u);
        if (s.defaultId === id) delete s.defaultId;
        return ok();
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/richmenu/{richMenuId}/content',
      handle({ channel, params, raw, contentType }) {
        const s = of(channel.channelId);
        const menu = s.menus.get(params.richMenuId!);
        if (!menu) return notFound;
        const refused = checkImage(menu, raw, contentType);
        if (refused) return refused;
        // LINE cannot replace a rich menu's image: a new menu is needed.
        if (s.images.has(menu.richMenuId)) {
          return {
            status: 400,
            body: { message: 'An image has already been uploaded to the richmenu' },
            reason: 'invalidParameter',
          };
        }
        s.images.set(menu.richMenuId, { data: raw, contentType });
        return ok();
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/richmenu/{richMenuId}/content',
      handle({ channel, params }) {
        const img = of(channel.channelId).images.get(params.richMenuId!);
        return img ? { status: 200, bytes: img } : notFound;
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/user/all/richmenu/{richMenuId}',
      handle({ channel, params }) {
        const s = of(channel.channelId);
        if (!s.menus.has(params.richMenuId!)) return notFound;
        if (!s.images.has(params.richMenuId!)) return noImage;
        s.defaultId = params.richMenuId!;
        return ok();
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/user/all/richmenu',
      handle({ channel }) {
        const id = of(channel.channelId).defaultId;
        return id
          ? { status: 200, body: { richMenuId: id } }
          : { status: 404, body: errors.noDefaultRichMenu, reason: 'notFound' };
      },
    },
    {
      method: 'DELETE',
      path: '/v2/bot/user/all/richmenu',
      handle({ channel }) {
        delete of(channel.channelId).defaultId;
        return ok();
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/richmenu/alias',
      handle({ channel, body }) {
        const s = of(channel.channelId);
        const { richMenuAliasId, richMenuId } = body as {
          richMenuAliasId: string;
          richMenuId: string;
        };
        if (!s.menus.has(richMenuId))
          return { status: 400, body: errors.richMenuNotFound, reason: 'notFound' };
        if (s.aliases.has(richMenuAliasId))
          return {
            status: 400,
            body: { message: 'conflict richmenu alias id' },
            reason: 'invalidParameter',
          };
        s.aliases.set(richMenuAliasId, richMenuId);
        return ok();
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/richmenu/alias/list',
      handle: ({ channel }) => ({
        status: 200,
        body: {
          aliases: [...of(channel.channelId).aliases].map(([richMenuAliasId, richMenuId]) => ({
            richMenuAliasId,
            richMenuId,
          })),
        },
      }),
    },
    {
      method: 'GET',
      path: '/v2/bot/richmenu/alias/{richMenuAliasId}',
      handle({ channel, params }) {
        const richMenuId = of(channel.channelId).aliases.get(params.richMenuAliasId!);
        return richMenuId
          ? { status: 200, body: { richMenuAliasId: params.richMenuAliasId, richMenuId } }
          : notFound;
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/richmenu/alias/{richMenuAliasId}',
      handle({ channel, params, body }) {
        const s = of(channel.channelId);
        const { richMenuId } = body as { richMenuId: string };
        if (!s.aliases.has(params.richMenuAliasId!)) return notFound;
        if (!s.menus.has(richMenuId))
          return { status: 400, body: errors.richMenuNotFound, reason: 'notFound' };
        s.aliases.set(params.richMenuAliasId!, richMenuId);
        return ok();
      },
    },
    {
      method: 'DELETE',
      path: '/v2/bot/richmenu/alias/{richMenuAliasId}',
      handle: ({ channel, params }) =>
        of(channel.channelId).aliases.delete(params.richMenuAliasId!) ? ok() : notFound,
    },
    {
      method: 'POST',
      path: '/v2/bot/user/{userId}/richmenu/{richMenuId}',
      handle({ channel, params }) {
        const s = of(channel.channelId);
        const { userId = '', richMenuId = '' } = params;
        if (!USER_ID.test(userId)) return badUser();
        if (!s.menus.has(richMenuId)) return notFound;
        if (!s.images.has(richMenuId)) return noImage;
        // LINE answers 200 for non-friends but links nothing.
        if (world.users.isFriend(userId, channel.channelId)) s.links.set(userId, richMenuId);
        return ok();
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/user/{userId}/richmenu',
      handle({ channel, params }) {
        if (!USER_ID.test(params.userId ?? '')) return badUser();
        const id = of(channel.channelId).links.get(params.userId!);
        return id
          ? { status: 200, body: { richMenuId: id } }
          : { status: 404, body: errors.userHasNoRichMenu, reason: 'notFound' };
      },
    },
    {
      method: 'DELETE',
      path: '/v2/bot/user/{userId}/richmenu',
      handle({ channel, params }) {
        if (!USER_ID.test(params.userId ?? '')) return badUser();
        of(channel.channelId).links.delete(params.userId!);
        return ok();
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/richmenu/bulk/link',
      handle({ channel, body }) {
        const s = of(channel.channelId);
        const { richMenuId, userIds } = body as { richMenuId: string; userIds: string[] };
        const bad = userIds.findIndex((u) => !USER_ID.test(u));
        if (bad >= 0)
          return {
            status: 400,
            body: errors.invalidProperty(`userIds[${bad}]`),
            reason: 'invalidParameter',
          };
        if (!s.menus.has(richMenuId))
          return { status: 404, body: errors.richMenuNotFound, reason: 'notFound' };
        if (!s.images.has(richMenuId)) return noImage;
        for (const u of userIds)
          if (world.users.isFriend(u, channel.channelId)) s.links.set(u, richMenuId);
        return ok(202);
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/richmenu/bulk/unlink',
      handle({ channel, body }) {
        const { userIds } = body as { userIds: string[] };
        const bad = userIds.findIndex((u) => !USER_ID.test(u));
        if (bad >= 0)
          return {
            status: 400,
            body: errors.invalidProperty(`userIds[${bad}]`),
            reason: 'invalidParameter',
          };
        for (const u of userIds) of(channel.channelId).links.delete(u);
        return ok(202);
      },
    },
  ];

  return {
    routes,
    /** The menu the user sees: their own link, else the channel default. */
    shownTo(userId: string, channelId = world.defaultChannel): string | undefined {
      const s = of(channelId);
      return s.links.get(userId) ?? s.defaultId;
    },
    linkedTo: (userId: string, channelId = world.defaultChannel) => of(channelId).links.get(userId),
    list: (channelId = world.defaultChannel) => [...of(channelId).menus.values()],
    reset: () => byChannel.clear(),
  };
}
