import { z } from 'zod';

/**
 * LINE webhook bodies. The envelope is checked strictly enough to key and route each event;
 * everything else LINE sends is kept as-is in the stored payload (LINE adds fields over time).
 */
const source = z.looseObject({
  type: z.string(),
  userId: z.string().optional(),
});

export const webhookEventSchema = z.looseObject({
  type: z.string().min(1),
  webhookEventId: z.string().min(1).max(100),
  timestamp: z.number().int().nonnegative(),
  mode: z.string().optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }).optional(),
  source: source.optional(),
  replyToken: z.string().optional(),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const webhookBodySchema = z.looseObject({
  destination: z.string(),
  events: z.array(webhookEventSchema).max(1000),
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const isString = (v: unknown) => typeof v === 'string';

/**
 * True only for bodies `webhookBodySchema` surely accepts, checked without building a copy of the
 * body: the webhook answers every request LINE sends, and zod's parse (which copies every object
 * it validates) was a visible share of that. When this says false, the schema decides and gives
 * the field-level error. Kept in step with the schemas above by a test that compares the two.
 */
export function isPlainValidWebhookBody(body: unknown): boolean {
  if (!isObject(body) || typeof body.destination !== 'string') return false;
  const events = body.events;
  if (!Array.isArray(events) || events.length > 1000) return false;
  for (const e of events as unknown[]) {
    if (!isObject(e)) return false;
    const { type, webhookEventId: id, timestamp: ts, source, deliveryContext: dc } = e;
    if (typeof type !== 'string' || type.length === 0) return false;
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) return false;
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) return false;
    if (!optional(e.mode, isString) || !optional(e.replyToken, isString)) return false;
    if (!optional(dc, (d) => isObject(d) && typeof d.isRedelivery === 'boolean')) return false;
    if (!optional(source, (s) => isObject(s) && isString(s.type) && optional(s.userId, isString)))
      return false;
  }
  return true;
}

/**
 * The body text to store for a validated webhook body: as LINE sent it, unless it holds what
 * PostgreSQL's jsonb refuses (U+0000, or an escaped lone surrogate); then those
 * characters become U+FFFD, so the events are kept rather than refused on every redelivery.
 */
export function storableBody(text: string, parsed: unknown): string {
  // Most bodies have no \u escape at all: a plain substring search settles those cheaply.
  if (!text.includes('\\u') || !/\\u(?:0000|[dD][89a-fA-F])/.test(text)) return text;
  return JSON.stringify(parsed, (_key, value: unknown) =>
    typeof value === 'string' ? value.toWellFormed().replaceAll('\0', '\uFFFD') : value,
  );
}

/** The event kinds Kizuna acts on; every other type is stored and ignored. */
const messageContent = z.looseObject({ id: z.string().min(1), type: z.string().min(1) });

export const handledEventSchema = z.discriminatedUnion('type', [
  webhookEventSchema.extend({
    type: z.literal('follow'),
    follow: z.looseObject({ isUnblocked: z.boolean() }).optional(),
  }),
  webhookEventSchema.extend({ type: z.literal('unfollow') }),
  webhookEventSchema.extend({ type: z.literal('message'), message: messageContent }),
  webhookEventSchema.extend({
    type: z.literal('postback'),
    postback: z.looseObject({
      data: z.string(),
      params: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
  webhookEventSchema.extend({
    type: z.literal('accountLink'),
    link: z.looseObject({ result: z.string(), nonce: z.string() }),
  }),
]);
export type HandledEvent = z.infer<typeof handledEventSchema>;

/**
 * What a stored message keeps: text and stickers as they are; media as a reference to fetch from
 * LINE's data API when staff open it (LINE keeps content for a limited time; the console shows
 * "expired" after that).
 */
export function messageContentForStorage(
  message: Record<string, unknown>,
): Record<string, unknown> {
  const { id: _id, quoteToken: _quote, markAsReadToken: _read, ...rest } = message;
  switch (message.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
      return { ...rest, media: { provider: 'line', messageId: message.id } };
    default:
      return rest;
  }
}
