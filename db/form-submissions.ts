import { sql, type Kysely } from 'kysely';
import type { CartKind } from '../crm/cart-kind.ts';
import type { FormDefinition, IdentityValues, Localized } from '../crm/form.ts';
import { unlinkedReasonText } from '../crm/link-rules.ts';
import { FriendRepository } from './friends.ts';
import { LinkEngine } from './links.ts';
import { refreshFriendPurchases } from './purchase-stats.ts';
import { runRules } from './rule-runner.ts';
import type { Database } from './schema.ts';
import { TagRepository } from './tags.ts';

export type SubmitOutcome =
  | {
      outcome: 'linked';
      carts: Array<{ connectionId: string; cart: CartKind; name: string }>;
    }
  | { outcome: 'pending'; reason: { code: string; message: Localized } };

export interface Submission {
  botId: string;
  form: FormDefinition;
  /** The verified ID token's `sub`: the only user id a submit is ever stored under. */
  lineUserId: string;
  /** The client's idempotency key. */
  submissionId: string;
  /** Normalized values (parseSubmission). */
  values: Record<string, string | boolean>;
  identity: IdentityValues;
}

export type SubmitResult =
  | { kind: 'done'; outcome: SubmitOutcome; repeated: boolean }
  /** The submission id was used by another friend: refused, nothing stored. */
  | { kind: 'conflict' };

const NO_CART: Localized = {
  ja: 'ショップのカートがまだ接続されていません。接続後に自動で連携されます',
  en: "The shop's cart is not connected yet; linking happens once it is",
};

/** How many submits a friend may make per minute before getting 429. */
export const SUBMITS_PER_MINUTE = 5;

/**
 * The identity form's submit (F2.1–F2.3, F2.6), in one transaction: the friend (created when
 * unknown), its identity fields, the form's tags (re-added on every submit, F2.2), linking this
 * friend across all of the bot's carts at once, its purchase figures, and the stored outcome.
 * Keyed by (bot, submission id): a repeated submit (double tap, retry after a lost answer) gets
 * the stored outcome and changes nothing.
 */
export class FormSubmissions {
  constructor(
    private readonly db: Kysely<Database>,
    /** Shop time zone, for the rules a submission runs (default Asia/Tokyo). */
    private readonly timeZone?: string,
  ) {}

  /** Submits by this user in the last minute, and seconds until the oldest of them leaves it. */
  async recent(botId: string, lineUserId: string): Promise<{ count: number; retryAfter: number }> {
    const row = await sql<{ n: string | number; retry: string | number | null }>`
      select count(*) as n,
        ceil(extract(epoch from min(s.created_at) + interval '60 seconds' - now())) as retry
      from form_submissions s join friends f on f.id = s.friend_id
      where f.bot_id = ${botId} and f.line_user_id = ${lineUserId}
        and s.bot_id = ${botId} and s.created_at > now() - interval '60 seconds'`.execute(this.db);
    const r = row.rows[0];
    return { count: Number(r?.n ?? 0), retryAfter: Math.max(1, Number(r?.retry ?? 1)) };
  }

  /** The outcome stored for a submission id, when it was made by this user. */
  async stored(
    botId: string,
    submissionId: string,
    lineUserId: string,
  ): Promise<SubmitResult | undefined> {
    const row = await this.db
      .selectFrom('form_submissions')
      .innerJoin('friends', 'friends.id', 'form_submissions.friend_id')
      .select(['form_submissions.outcome', 'friends.line_user_id'])
      .where('form_submissions.bot_id', '=', botId)
      .where('form_submissions.submission_id', '=', submissionId)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.line_user_id !== lineUserId) return { kind: 'conflict' };
    return { kind: 'done', outcome: row.outcome as SubmitOutcome, repeated: true };
  }

  async submit(s: Submission): Promise<SubmitResult> {
    const result = await this.db.transaction().execute(async (trx) => {
      const friend = await new FriendRepository(trx).ensure(s.botId, s.lineUserId, 'liff');
      // The key is taken first: a concurrent repeat waits here for this transaction, then finds
      // the key taken and reads the outcome stored below.
      const claimed = await trx
        .insertInto('form_submissions')
        .values({
          bot_id: s.botId,
          submission_id: s.submissionId,
          form_key: s.form.key,
          friend_id: friend.id,
          values: JSON.stringify(s.values),
        })
        .onConflict((oc) => oc.columns(['bot_id', 'submission_id']).doNothing())
        .returning('submission_id')
        .executeTakeFirst();
      if (!claimed) return undefined;

      await saveIdentity(trx, friend.id, s.identity);
      const tags = new TagRepository(trx);
      await tags.add(s.botId, friend.id, await tags.ensure(s.botId, s.form.tags), {
        source: 'form',
        sourceRef: `form:${s.form.key}`,
        readd: true,
      });
      const outcome = await linkNow(trx, s.botId, friend.id);
      // F5.3: a form submit runs the rules at once, for this friend only.
      await runRules(trx, s.botId, {
        cause: 'form',
        now: new Date(),
        friendIds: [friend.id],
        timeZone: this.timeZone,
      });
      await trx
        .updateTable('form_submissions')
        .set({ outcome: JSON.stringify(outcome) })
        .where('bot_id', '=', s.botId)
        .where('submission_id', '=', s.submissionId)
        .execute();
      return outcome;
    });
    if (result) return { kind: 'done', outcome: result, repeated: false };
    const stored = await this.stored(s.botId, s.submissionId, s.lineUserId);
    if (!stored) throw new Error('submission key taken but no submission stored');
    return stored;
  }
}

/** Only what the shopper gave is written; a birthday typed in a form is never overwritten by a cart. */
async function saveIdentity(
  trx: Kysely<Database>,
  friendId: string,
  v: IdentityValues,
): Promise<void> {
  const changes = {
    ...(v.phone ? { phone: v.phone, phone_key: v.phone } : {}),
    ...(v.email ? { email: v.email, email_key: v.email } : {}),
    ...(v.name ? { name: v.name } : {}),
    ...(v.nameKana ? { name_kana: v.nameKana } : {}),
    ...(v.birthday ? { birthday: v.birthday, birthday_source: 'form' } : {}),
  };
  if (Object.keys(changes).length === 0) return;
  await trx
    .updateTable('friends')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', friendId)
    .execute();
}

/** Links the friend in every connected cart of the bot now (F2.6), and says how it went. */
async function linkNow(
  trx: Kysely<Database>,
  botId: string,
  friendId: string,
): Promise<SubmitOutcome> {
  const connections = await trx
    .selectFrom('connections')
    .select(['id', 'bot_id', 'cart', 'name'])
    .where('bot_id', '=', botId)
    .where('disconnected_at', 'is', null)
    .orderBy('created_at')
    .execute();
  const engine = new LinkEngine(trx);
  for (const c of connections) {
    await engine.link(
      { id: c.id, botId: c.bot_id, cart: c.cart as CartKind },
      { friendIds: [friendId] },
    );
  }
  await refreshFriendPurchases(trx, { friendIds: [friendId] });

  const linked = await trx
    .selectFrom('links')
    .innerJoin('connections', 'connections.id', 'links.connection_id')
    .select(['connections.id', 'connections.cart', 'connections.name'])
    .distinct()
    .where('links.friend_id', '=', friendId)
    .where('links.suppressed', '=', false)
    .orderBy('connections.id')
    .execute();
  if (linked.length > 0)
    return {
      outcome: 'linked',
      carts: linked.map((c) => ({ connectionId: c.id, cart: c.cart as CartKind, name: c.name })),
    };
  const [unlinked] = await engine.unlinked(botId, 1, [friendId]);
  const reason = unlinked?.carts[0]?.reason;
  if (!reason)
    return { outcome: 'pending', reason: { code: 'no_cart_connected', message: NO_CART } };
  return {
    outcome: 'pending',
    reason: {
      code: reason,
      message: { ja: unlinkedReasonText(reason, 'ja'), en: unlinkedReasonText(reason, 'en') },
    },
  };
}
