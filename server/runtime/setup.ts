import { join } from 'node:path';
import { createDb, type Db } from '../../db/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { SecretBox } from '../../db/secret-box.ts';
import type { Logger } from '../logger.ts';
import type { Config } from './config.ts';
import { localSecret, lockDataDir } from './local-files.ts';

export interface Opened {
  db: Db;
  secretBox: SecretBox;
  adminToken: string | undefined;
  /** Closes the database (PGlite checkpoints its files) and releases the data directory. */
  close(): Promise<void>;
}

/** Opens the configured database, migrated, with the keys that go with it. Node only. */
export async function openDatabase(config: Config, logger: Logger): Promise<Opened> {
  const embedded = !config.DATABASE_URL;
  if (!embedded && !config.KIZUNA_SECRET_KEY) {
    throw new Error(
      'KIZUNA_SECRET_KEY: required when DATABASE_URL is set (32 random bytes in base64: openssl rand -base64 32)',
    );
  }
  const unlock = embedded ? await lockDataDir(config.KIZUNA_DATA_DIR) : async () => {};
  try {
    const secretKey =
      config.KIZUNA_SECRET_KEY ??
      (await localSecret(
        config.KIZUNA_DATA_DIR,
        'secret.key',
        SecretBox.generateKey,
        logger,
        'KIZUNA_SECRET_KEY is not set: generated one for the embedded database; back this file up with the data',
      ));
    const adminToken =
      config.KIZUNA_ADMIN_TOKEN ??
      (embedded
        ? await localSecret(
            config.KIZUNA_DATA_DIR,
            'admin-token',
            () => SecretBox.generateKey().replace(/[^A-Za-z0-9]/g, ''),
            logger,
            'KIZUNA_ADMIN_TOKEN is not set: generated one; the staff API accepts it as a Bearer token',
          )
        : undefined);
    if (!adminToken)
      logger.warn('KIZUNA_ADMIN_TOKEN is not set: the staff API answers 401 to every request');

    const db = await createDb(
      embedded
        ? { kind: 'pglite', dataDir: join(config.KIZUNA_DATA_DIR, 'pg') }
        : {
            kind: 'postgres',
            url: config.DATABASE_URL!,
            prepare: config.KIZUNA_PREPARED_STATEMENTS,
          },
    );
    try {
      const applied = await migrateToLatest(db.kysely);
      if (applied.length > 0) logger.info('database migrated', { applied });
    } catch (error) {
      await db.close();
      throw error;
    }
    return {
      db,
      secretBox: await SecretBox.fromBase64Key(secretKey),
      adminToken,
      async close() {
        await db.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}
