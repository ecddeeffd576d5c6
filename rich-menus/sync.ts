import type { LineRichMenuRequest, RichMenuPort } from '../bot/line-port.ts';
import { richMenuSetSchema, type RichMenuDefinition } from '../crm/rich-menu.ts';
import type { RichMenuRepository } from '../db/rich-menus.ts';
import { orRefused, RichMenuError } from './errors.ts';
import { contentHash, isOurs, lineName, toLineRequest } from './hash.ts';
import { checkImage } from './image.ts';

/** A definition with its image's bytes. */
export interface LoadedRichMenu {
  definition: RichMenuDefinition;
  image: Uint8Array;
}

export interface ApplyOptions {
  botId: string;
  line: RichMenuPort;
  repo: RichMenuRepository;
  menus: LoadedRichMenu[];
  /**
   * Runs once the new menus, aliases and default are live and recorded, before replaced menus
   * are deleted: re-links friends off the old menus (deleting a menu drops its links on LINE).
   */
  beforeDelete?: () => Promise<void>;
}

export interface ApplyReport {
  created: string[];
  kept: string[];
  aliases: { created: string[]; updated: string[]; deleted: string[] };
  /** The default menu's definition when it changed; null when the default was cleared. */
  defaultChanged?: string | null;
  /** LINE ids of replaced or orphaned Kizuna menus. */
  deleted: string[];
}

interface Wanted extends LoadedRichMenu {
  hash: string;
  contentType: 'image/png' | 'image/jpeg';
  request: LineRichMenuRequest;
}

/**
 * Puts the definitions on LINE (F7.1), changing only what differs. A menu's body and image
 * cannot be edited on LINE, so a changed definition is a new menu: it is created and given its
 * image first; then aliases and the default move to it; only then is the old one deleted. If
 * LINE refuses anything before the switch completes, what this run did is undone, so friends
 * keep seeing the menus they had. Running it again with the same definitions makes no change.
 */
export async function applyRichMenus(o: ApplyOptions): Promise<ApplyReport> {
  const { line, repo, botId } = o;
  const parsed = richMenuSetSchema.safeParse(o.menus.map((m) => m.definition));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RichMenuError('invalid_definition', `${issue.path.join('.')}: ${issue.message}`);
  }
  // Every local check before the first call to LINE.
  const wanted: Wanted[] = [];
  for (const m of o.menus) {
    const contentType = checkImage(m.definition, m.image);
    const body = toLineRequest(m.definition);
    const hash = await contentHash(body, m.image);
    wanted.push({
      ...m,
      hash,
      contentType,
      request: { ...body, name: lineName(m.definition.name, hash) },
    });
  }

  const [live, aliasList, defaultId, applied] = await Promise.all([
    line.listRichMenus(),
    line.listRichMenuAliases(),
    line.getDefaultRichMenuId(),
    repo.applied(botId),
  ]);
  const liveIds = new Set(live.map((m) => m.richMenuId));
  const previous = new Map(applied.map((a) => [a.name, a]));
  const aliases = new Map(aliasList.map((a) => [a.richMenuAliasId, a.richMenuId]));
  const report: ApplyReport = {
    created: [],
    kept: [],
    aliases: { created: [], updated: [], deleted: [] },
    deleted: [],
  };
  const target = new Map<string, string>();
  // Inverse of each change made so far, run newest first if a later step is refused.
  const undo: Array<() => Promise<unknown>> = [];

  try {
    for (const w of wanted) {
      const { name } = w.definition;
      const prev = previous.get(name);
      if (prev && prev.hash === w.hash && liveIds.has(prev.richMenuId)) {
        target.set(name, prev.richMenuId);
        report.kept.push(name);
        continue;
      }
      const id = await orRefused(`creating rich menu "${name}"`, name, () =>
        line.createRichMenu(w.request),
      );
      undo.push(() => line.deleteRichMenu(id));
      await orRefused(`the image of rich menu "${name}" (${w.definition.image})`, name, () =>
        line.setRichMenuImage(id, w.image, w.contentType),
      );
      target.set(name, id);
      report.created.push(name);
    }

    for (const w of wanted) {
      const alias = w.definition.alias;
      if (!alias) continue;
      const id = target.get(w.definition.name)!;
      const current = aliases.get(alias);
      if (current === id) continue;
      const doing = `alias "${alias}" for rich menu "${w.definition.name}"`;
      if (current === undefined) {
        await orRefused(doing, w.definition.name, () => line.createRichMenuAlias(alias, id));
        undo.push(() => line.deleteRichMenuAlias(alias));
        report.aliases.created.push(alias);
      } else {
        await orRefused(doing, w.definition.name, () => line.updateRichMenuAlias(alias, id));
        undo.push(() => line.updateRichMenuAlias(alias, current));
        report.aliases.updated.push(alias);
      }
    }

    const def = wanted.find((w) => w.definition.default);
    const ours = new Set(live.filter((m) => isOurs(m.name)).map((m) => m.richMenuId));
    const restoreDefault = () =>
      defaultId ? line.setDefaultRichMenu(defaultId) : line.cancelDefaultRichMenu();
    if (def && defaultId !== target.get(def.definition.name)) {
      const id = target.get(def.definition.name)!;
      await orRefused(`rich menu "${def.definition.name}" as default`, def.definition.name, () =>
        line.setDefaultRichMenu(id),
      );
      undo.push(restoreDefault);
      report.defaultChanged = def.definition.name;
    } else if (!def && defaultId && ours.has(defaultId)) {
      // No definition is the default any more: stop showing the one we set.
      await orRefused('clearing the default rich menu', undefined, () =>
        line.cancelDefaultRichMenu(),
      );
      undo.push(restoreDefault);
      report.defaultChanged = null;
    }
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }

  await repo.saveApplied(
    botId,
    wanted.map((w) => ({
      name: w.definition.name,
      richMenuId: target.get(w.definition.name)!,
      hash: w.hash,
      alias: w.definition.alias ?? null,
      isDefault: w.definition.default ?? false,
    })),
  );
  await o.beforeDelete?.();

  // Replaced menus, and ours that never got recorded (a run stopped between create and upload).
  const keep = new Set(target.values());
  const stale = new Set(
    live.filter((m) => isOurs(m.name) && !keep.has(m.richMenuId)).map((m) => m.richMenuId),
  );
  const defined = new Set(wanted.map((w) => w.definition.alias).filter(Boolean));
  for (const [alias, id] of aliases) {
    if (defined.has(alias) || !stale.has(id)) continue;
    await orRefused(`deleting alias "${alias}"`, undefined, () => line.deleteRichMenuAlias(alias));
    report.aliases.deleted.push(alias);
  }
  for (const id of stale) {
    await orRefused(`deleting replaced rich menu ${id}`, undefined, () => line.deleteRichMenu(id));
    report.deleted.push(id);
  }
  return report;
}
