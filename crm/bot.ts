import { z } from 'zod';

/** Kizuna's id of a bot: a short slug, e.g. `default` or `shop-tokyo`. */
export const botIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1–63 lower-case letters, digits, "-" or "_"');

/** LINE channel ids are numeric strings (10 digits today). */
const channelIdSchema = z.string().regex(/^\d{6,20}$/, 'must be the numeric channel ID');

export const botCreateSchema = z.strictObject({
  id: botIdSchema.optional(),
  name: z.string().trim().min(1, 'is required').max(100),
  channelId: channelIdSchema.optional(),
  /** The Messaging API channel secret: 32 hexadecimal characters. Write-only. */
  channelSecret: z
    .string()
    .regex(/^[0-9a-f]{32}$/i, 'must be the 32-character channel secret')
    .optional(),
  /** A long-lived channel access token. Write-only. */
  channelAccessToken: z
    .string()
    .min(20, 'is too short to be a channel access token')
    .max(2000)
    .optional(),
  liffId: z
    .string()
    .regex(/^\d+-\w+$/, 'must look like 1234567890-AbcdEfgh')
    .optional(),
  loginChannelId: channelIdSchema.optional(),
  /** The shop's login page of LINE Account Link (F2.8); Kizuna appends `linkToken`. */
  accountLinkUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2000)
    .optional(),
  /** Signs the login page's return to Kizuna (HMAC-SHA256). Write-only. */
  accountLinkSecret: z
    .string()
    .min(32, 'must be at least 32 characters')
    .max(200)
    .optional(),
});
export type BotCreate = z.infer<typeof botCreateSchema>;

export const botUpdateSchema = botCreateSchema.omit({ id: true }).partial();
export type BotUpdate = z.infer<typeof botUpdateSchema>;

/** A bot as the API shows it: secrets only as "is it set". */
export interface Bot {
  id: string;
  name: string;
  channelId: string | null;
  liffId: string | null;
  loginChannelId: string | null;
  accountLinkUrl: string | null;
  hasAccountLinkSecret: boolean;
  hasChannelSecret: boolean;
  hasChannelAccessToken: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface BotCredentials {
  channelSecret: string | null;
  channelAccessToken: string | null;
}
