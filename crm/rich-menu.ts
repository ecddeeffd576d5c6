import { z } from 'zod';
import { filterSchema, type Filter } from './filter.ts';

/**
 * Rich menus as code (F7.1): one definition per menu, checked against LINE's limits before
 * anything is sent, so a typo fails `npm run rich-menus -- apply` on this machine, field by field,
 * instead of as a half-applied set of menus on LINE. Limits: research/line-platform.md §3 and
 * messaging-api.yml (RichMenuRequest, the action schemas).
 */

/** Our name of a menu (file name, API key); LINE's `name` carries it with a content hash. */
export const richMenuNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1–40 lower-case letters, digits or "-"');

/** LINE's rule for richMenuAliasId. */
export const richMenuAliasSchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,32}$/, 'must be 1–32 lower-case letters, digits, "_" or "-"');

// Rich-menu action labels are at most 20 characters (LINE's action object reference).
const label = z.string().min(1).max(20).optional();
const data = z.string().max(300);

export const richMenuActionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('uri'),
    label,
    uri: z
      .string()
      .max(1000)
      .regex(/^(https?|line|tel):/, 'must start with https:, http:, line: or tel:'),
  }),
  z.strictObject({ type: z.literal('message'), label, text: z.string().min(1).max(300) }),
  z.strictObject({
    type: z.literal('postback'),
    label,
    data: data.min(1),
    displayText: z.string().min(1).max(300).optional(),
  }),
  /** Tab switching: LINE shows the menu the alias points at (and sends a postback with `data`). */
  z.strictObject({
    type: z.literal('richmenuswitch'),
    label,
    richMenuAliasId: richMenuAliasSchema,
    data,
  }),
]);
export type RichMenuAction = z.infer<typeof richMenuActionSchema>;

const px = z.number().int().min(0);
const boundsSchema = z.strictObject({
  x: px,
  y: px,
  width: px.min(1),
  height: px.min(1),
});

export const richMenuDefinitionSchema = z
  .strictObject({
    name: richMenuNameSchema,
    /** LINE: width 800–2500, height ≥ 250, width/height ≥ 1.45 (2500×1686 and 2500×843 are usual). */
    size: z.strictObject({
      width: z.number().int().min(800).max(2500),
      height: z.number().int().min(250),
    }),
    /** Shown on the chat bar; at most 14 characters. */
    chatBarText: z.string().min(1).max(14),
    /** Open the menu when the chat is opened. */
    selected: z.boolean(),
    /** File name under rich-menus/assets: PNG or JPEG of exactly `size` pixels, ≤ 1 MB. */
    image: z.string().regex(/^[\w.-]+\.(png|jpe?g)$/, 'must be a .png or .jpg file name'),
    /** The alias `richmenuswitch` actions use to reach this menu. */
    alias: richMenuAliasSchema.optional(),
    /** The channel's default menu: everyone without a per-friend menu sees it. */
    default: z.boolean().optional(),
    areas: z
      .array(z.strictObject({ bounds: boundsSchema, action: richMenuActionSchema }))
      .min(1)
      .max(20),
  })
  .superRefine((d, ctx) => {
    if (d.size.width / d.size.height < 1.45)
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'width/height must be ≥ 1.45' });
    d.areas.forEach(({ bounds: b }, i) => {
      if (b.x + b.width > d.size.width || b.y + b.height > d.size.height)
        ctx.addIssue({
          code: 'custom',
          path: ['areas', i, 'bounds'],
          message: `lies outside the ${d.size.width}×${d.size.height} menu`,
        });
    });
  });
export type RichMenuDefinition = z.infer<typeof richMenuDefinitionSchema>;

/**
 * The whole set: unique names and aliases, at most one default, and every `richmenuswitch`
 * pointing at an alias the set defines (LINE would accept a dangling one and fail on tap).
 */
export const richMenuSetSchema = z.array(richMenuDefinitionSchema).superRefine((defs, ctx) => {
  const names = new Set<string>();
  const aliases = new Set<string>();
  defs.forEach((d, i) => {
    if (names.has(d.name))
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${d.name}" is used twice` });
    names.add(d.name);
    if (d.alias && aliases.has(d.alias))
      ctx.addIssue({ code: 'custom', path: [i, 'alias'], message: `"${d.alias}" is used twice` });
    if (d.alias) aliases.add(d.alias);
  });
  if (defs.filter((d) => d.default).length > 1)
    ctx.addIssue({ code: 'custom', path: [], message: 'at most one menu may be the default' });
  defs.forEach((d, i) =>
    d.areas.forEach((a, j) => {
      if (a.action.type === 'richmenuswitch' && !aliases.has(a.action.richMenuAliasId))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'areas', j, 'action', 'richMenuAliasId'],
          message: `no menu has the alias "${a.action.richMenuAliasId}"`,
        });
    }),
  );
});

/** One per-friend rule (F7.2): friends the filter selects get the menu; the first rule wins. */
export const richMenuRuleInputSchema = z.strictObject({
  menu: richMenuNameSchema,
  /** A segment filter (F5.2). */
  filter: filterSchema,
  /** 0-based place in the bot's list; appended when absent. */
  position: z.number().int().min(0).max(10_000).optional(),
});
export type RichMenuRuleInput = z.infer<typeof richMenuRuleInputSchema>;

export interface RichMenuRule {
  id: string;
  botId: string;
  position: number;
  menu: string;
  filter: Filter;
}
