// Webhook event objects as LINE sends them: a ULID webhookEventId, ms timestamp, mode,
// deliveryContext, a user source, and a reply token on the types LINE gives one to. Building an
// event also makes what it refers to real in the fake: its reply token can be used once, and a
// media message's content can be downloaded from the data host.
import type { webhook } from '@line/bot-sdk';
import { newMessageId, newQuoteToken, newReplyToken, newUlid } from './ids.ts';
import { makePng } from './png.ts';
import type { Content, World } from './world.ts';

export interface EventOptions {
  timestamp?: number;
  mode?: 'active' | 'standby';
  redelivery?: boolean;
  /** The channel the event is for (default: the first); decides follow.isUnblocked. */
  channelId?: string;
}

type MediaOptions = EventOptions & { content?: Content };

export type EventBuilders = ReturnType<typeof createEventBuilders>;

export function createEventBuilders(world: World, now: () => number) {
  const known = (userId: string) => {
    if (!world.users.get(userId)) world.users.add({ userId }, { friendOf: [] });
  };
  const base = (userId: string, o: EventOptions) => {
    known(userId);
    const timestamp = o.timestamp ?? now();
    return {
      timestamp,
      mode: o.mode ?? 'active',
      webhookEventId: newUlid(timestamp),
      deliveryContext: { isRedelivery: o.redelivery ?? false },
      source: { type: 'user', userId } satisfies webhook.UserSource,
    } as const;
  };
  const replyToken = (userId: string, o: EventOptions) => {
    const token = newReplyToken();
    world.replyTokens.set(token, { userId, channelId: o.channelId, issuedAt: now(), used: false });
    return token;
  };
  const message = (
    userId: string,
    content: webhook.MessageContent,
    o: EventOptions,
  ): webhook.MessageEvent => ({
    type: 'message',
    ...base(userId, o),
    replyToken: replyToken(userId, o),
    message: content,
  });
  const stored = (id: string, content: Content) => {
    world.contents.set(id, content);
    return { type: 'line' } as const;
  };

  return {
    /** A new friend, or (isUnblocked) a user who had blocked the channel coming back. */
    follow(userId: string, o: EventOptions & { isUnblocked?: boolean } = {}): webhook.FollowEvent {
      const isUnblocked = o.isUnblocked ?? world.users.isBlocked(userId, o.channelId);
      return {
        type: 'follow',
        ...base(userId, o),
        replyToken: replyToken(userId, o),
        follow: { isUnblocked },
      };
    },
    unfollow: (userId: string, o: EventOptions = {}): webhook.UnfollowEvent => ({
      type: 'unfollow',
      ...base(userId, o),
    }),
    postback(
      userId: string,
      data: string,
      params?: Record<string, string>,
      o: EventOptions = {},
    ): webhook.PostbackEvent {
      return {
        type: 'postback',
        ...base(userId, o),
        replyToken: replyToken(userId, o),
        postback: params ? { data, params } : { data },
      };
    },
    /** LINE leaves the reply token out when linking failed. */
    accountLink(
      userId: string,
      nonce: string,
      result: 'ok' | 'failed',
      o: EventOptions = {},
    ): webhook.AccountLinkEvent {
      const event: webhook.AccountLinkEvent = {
        type: 'accountLink',
        ...base(userId, o),
        link: { result, nonce },
      };
      return result === 'ok' ? { ...event, replyToken: replyToken(userId, o) } : event;
    },
    unsend: (userId: string, messageId: string, o: EventOptions = {}): webhook.UnsendEvent => ({
      type: 'unsend',
      ...base(userId, o),
      unsend: { messageId },
    }),
    message: {
      text(userId: string, text: string, o: EventOptions & { quotedMessageId?: string } = {}) {
        const { quotedMessageId } = o;
        return message(
          userId,
          {
            type: 'text',
            id: newMessageId(),
            text,
            quoteToken: newQuoteToken(),
            ...(quotedMessageId ? { quotedMessageId } : {}),
          },
          o,
        );
      },
      image(userId: string, o: MediaOptions = {}) {
        const id = newMessageId();
        const contentProvider = stored(
          id,
          o.content ?? { bytes: makePng(4, 3), contentType: 'image/png' },
        );
        return message(
          userId,
          { type: 'image', id, contentProvider, quoteToken: newQuoteToken() },
          o,
        );
      },
      video(userId: string, o: MediaOptions & { duration?: number } = {}) {
        const id = newMessageId();
        const contentProvider = stored(id, o.content ?? fakeMedia('video/mp4'));
        return message(
          userId,
          {
            type: 'video',
            id,
            duration: o.duration ?? 8000,
            contentProvider,
            quoteToken: newQuoteToken(),
          },
          o,
        );
      },
      audio(userId: string, o: MediaOptions & { duration?: number } = {}) {
        const id = newMessageId();
        const contentProvider = stored(id, o.content ?? fakeMedia('audio/x-m4a'));
        return message(
          userId,
          { type: 'audio', id, duration: o.duration ?? 3000, contentProvider },
          o,
        );
      },
      file(userId: string, o: MediaOptions & { fileName?: string } = {}) {
        const id = newMessageId();
        const content = o.content ?? fakeMedia('application/octet-stream');
        stored(id, content);
        const fileName = o.fileName ?? 'receipt.pdf';
        return message(
          userId,
          { type: 'file', id, fileName, fileSize: content.bytes.byteLength },
          o,
        );
      },
      location(
        userId: string,
        o: EventOptions & {
          title?: string;
          address?: string;
          latitude?: number;
          longitude?: number;
        } = {},
      ) {
        return message(
          userId,
          {
            type: 'location',
            id: newMessageId(),
            title: o.title ?? '東京駅',
            address: o.address ?? '東京都千代田区丸の内1丁目',
            latitude: o.latitude ?? 35.681236,
            longitude: o.longitude ?? 139.767125,
          },
          o,
        );
      },
      sticker(
        userId: string,
        o: EventOptions & { packageId?: string; stickerId?: string; keywords?: string[] } = {},
      ) {
        return message(
          userId,
          {
            type: 'sticker',
            id: newMessageId(),
            packageId: o.packageId ?? '446',
            stickerId: o.stickerId ?? '1988',
            stickerResourceType: 'STATIC',
            keywords: o.keywords ?? ['Happy', 'OK'],
            quoteToken: newQuoteToken(),
          },
          o,
        );
      },
    },
  };
}

function fakeMedia(contentType: string): Content {
  return { bytes: new TextEncoder().encode(`fake ${contentType} content`), contentType };
}
