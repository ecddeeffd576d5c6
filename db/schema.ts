import type { ColumnType } from 'kysely';

/** Row types of Kizuna's own tables. Repositories map these to `crm` types; nothing else sees rows. */
export interface Database {
  bots: BotsTable;
}

/** Set by the database on insert unless given. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface BotsTable {
  id: string;
  name: string;
  channel_id: string | null;
  /** AES-GCM sealed (see secret-box.ts); never leaves the repository in clear except to call LINE. */
  channel_secret_sealed: string | null;
  access_token_sealed: string | null;
  liff_id: string | null;
  login_channel_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
