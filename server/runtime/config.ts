import { z } from 'zod';
import { decodeBase64 } from '../../db/secret-box.ts';

/**
 * Every environment variable Kizuna reads, parsed once. Runtime edges (node.ts, worker.ts) call
 * `parseConfig` and pass the result down; nothing else reads the environment.
 */
const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a URL like postgres://user:password@host:5432/database');

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const configSchema = z.object({
  PORT: port.default(3000),
  DATABASE_URL: postgresUrl.optional(),
  KIZUNA_DATA_DIR: z.string().min(1).default('./data'),
  KIZUNA_SECRET_KEY: z
    .string()
    .refine(
      isBase64Key,
      'must be 32 random bytes in base64 (generate one: openssl rand -base64 32)',
    )
    .optional(),
  KIZUNA_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  /** CPU niceness of a worker process (0 = as the web processes, 19 = lowest). */
  KIZUNA_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * Named prepared statements on PostgreSQL (the webhook's append, the worker's per-batch
   * statements); `false` behind a pooler that does not keep them.
   */
  KIZUNA_PREPARED_STATEMENTS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  KIZUNA_ADMIN_TOKEN: optionalText,
  /** A Bearer token that may read /metrics and nothing else. */
  KIZUNA_METRICS_TOKEN: optionalText,
  /** A port of its own serving only /metrics (a worker has no other; a web process may want one). */
  KIZUNA_METRICS_PORT: port.optional(),
  KIZUNA_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  KIZUNA_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  TZ: z.string().default('Asia/Tokyo'),
  KIZUNA_NOTICE_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  LINE_CHANNEL_ID: optionalText,
  LINE_CHANNEL_SECRET: optionalText,
  LINE_CHANNEL_ACCESS_TOKEN: optionalText,
  LIFF_ID: optionalText,
  LINE_LOGIN_CHANNEL_ID: optionalText,
  LINE_API_BASE_URL: z.url().optional(),
  LINE_API_DATA_BASE_URL: z.url().optional(),
});

export type Config = z.infer<typeof configSchema>;

function isBase64Key(value: string): boolean {
  try {
    return /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && decodeBase64(value).length === 32;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming each bad variable and what is wrong. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty string means "not set" for every variable: shells and .env files produce them.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const shown = name in present && !/SECRET|TOKEN|KEY|DATABASE_URL/.test(name);
        return `${name}: ${issue.message}${shown ? ` (got ${JSON.stringify(present[name])})` : ''}`;
      }),
    );
  }
  return result.data;
}
