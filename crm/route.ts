import { z } from 'zod';

/**
 * A friend-add route (友だち追加経路, F1.5): a named URL/QR code; friends who add the bot through it
 * get it recorded. Actions on arrival (tags, scenario, rich menu) come with later features.
 */
export const routeCodeSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be 1–32 lower-case letters, digits, "-" or "_"');

export const routeCreateSchema = z.strictObject({
  code: routeCodeSchema,
  name: z.string().trim().min(1, 'is required').max(100),
});
export type RouteCreate = z.infer<typeof routeCreateSchema>;

export const routeUpdateSchema = routeCreateSchema.pick({ name: true });

export interface FriendAddRoute {
  id: string;
  botId: string;
  code: string;
  name: string;
  /** Friends whose first arrival was through this route. */
  friends: number;
  createdAt: Date;
}
