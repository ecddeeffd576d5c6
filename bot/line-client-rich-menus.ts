import type { messagingApi } from '@line/bot-sdk';
import type { Answer, Call } from './line-client.ts';
import type { LineRichMenu, RichMenuPort } from './line-port.ts';

/**
 * Rich-menu management calls of the LINE client (F7.1), apart so line-client.ts stays small.
 * Each `op` is the endpoint's operationId in messaging-api.yml: the throttle's endpoint class.
 */
export function richMenuCalls(
  call: (c: Call) => Promise<Answer>,
  json: <T>(c: Call) => Promise<T>,
): RichMenuPort {
  const id = encodeURIComponent;
  return {
    async createRichMenu(menu) {
      const body = menu as unknown as messagingApi.RichMenuRequest;
      const answer = await json<messagingApi.RichMenuIdResponse>({
        op: 'createRichMenu',
        method: 'POST',
        path: '/v2/bot/richmenu',
        body,
      });
      return answer.richMenuId;
    },

    async setRichMenuImage(richMenuId, image, contentType) {
      await call({
        op: 'setRichMenuImage',
        method: 'POST',
        host: 'data',
        path: `/v2/bot/richmenu/${id(richMenuId)}/content`,
        raw: { data: image, contentType },
      });
    },

    async deleteRichMenu(richMenuId) {
      await call({
        op: 'deleteRichMenu',
        method: 'DELETE',
        path: `/v2/bot/richmenu/${id(richMenuId)}`,
      });
    },

    async listRichMenus() {
      const list = await json<messagingApi.RichMenuListResponse>({
        op: 'getRichMenuList',
        method: 'GET',
        path: '/v2/bot/richmenu/list',
      });
      return list.richmenus as unknown as LineRichMenu[];
    },

    async getDefaultRichMenuId() {
      const a = await call({
        op: 'getDefaultRichMenuId',
        method: 'GET',
        path: '/v2/bot/user/all/richmenu',
        accept: [404],
      });
      // 404: no default menu is set through the API (one set in OA Manager is not visible here).
      if (a.res.status === 404) return undefined;
      return (JSON.parse(a.text) as messagingApi.RichMenuIdResponse).richMenuId;
    },

    async setDefaultRichMenu(richMenuId) {
      await call({
        op: 'setDefaultRichMenu',
        method: 'POST',
        path: `/v2/bot/user/all/richmenu/${id(richMenuId)}`,
      });
    },

    async cancelDefaultRichMenu() {
      await call({
        op: 'cancelDefaultRichMenu',
        method: 'DELETE',
        path: '/v2/bot/user/all/richmenu',
      });
    },

    async listRichMenuAliases() {
      const list = await json<messagingApi.RichMenuAliasListResponse>({
        op: 'getRichMenuAliasList',
        method: 'GET',
        path: '/v2/bot/richmenu/alias/list',
      });
      return list.aliases.map((a) => ({
        richMenuAliasId: a.richMenuAliasId,
        richMenuId: a.richMenuId,
      }));
    },

    async createRichMenuAlias(richMenuAliasId, richMenuId) {
      const body = {
        richMenuAliasId,
        richMenuId,
      } satisfies messagingApi.CreateRichMenuAliasRequest;
      await call({
        op: 'createRichMenuAlias',
        method: 'POST',
        path: '/v2/bot/richmenu/alias',
        body,
      });
    },

    async updateRichMenuAlias(richMenuAliasId, richMenuId) {
      const body = { richMenuId } satisfies messagingApi.UpdateRichMenuAliasRequest;
      await call({
        op: 'updateRichMenuAlias',
        method: 'POST',
        path: `/v2/bot/richmenu/alias/${id(richMenuAliasId)}`,
        body,
      });
    },

    async deleteRichMenuAlias(richMenuAliasId) {
      await call({
        op: 'deleteRichMenuAlias',
        method: 'DELETE',
        path: `/v2/bot/richmenu/alias/${id(richMenuAliasId)}`,
      });
    },

    async bulkUnlinkRichMenus(userIds) {
      const body = { userIds } satisfies messagingApi.RichMenuBulkUnlinkRequest;
      await call({
        op: 'unlinkRichMenuIdFromUsers',
        method: 'POST',
        path: '/v2/bot/richmenu/bulk/unlink',
        body,
      });
    },
  };
}
