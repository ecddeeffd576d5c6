import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/runtime/config.ts';
import { spawnKizuna } from '../helpers/server-process.ts';

describe('parseConfig', () => {
  it('gives every default', () => {
    expect(parseConfig({})).toMatchObject({
      PORT: 3000,
      KIZUNA_DATA_DIR: './data',
      KIZUNA_ROLE: 'all',
      KIZUNA_PREPARED_STATEMENTS: true,
      TZ: 'Asia/Tokyo',
    });
    // No metrics port unless asked for: a worker then listens on nothing.
    expect(parseConfig({}).KIZUNA_METRICS_PORT).toBeUndefined();
    expect(parseConfig({ KIZUNA_PREPARED_STATEMENTS: 'false' }).KIZUNA_PREPARED_STATEMENTS).toBe(
      false,
    );
  });

  it('treats empty strings as unset', () => {
    const config = parseConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: must be a number \(got "abc"\)/],
    [{ PORT: '70000' }, /PORT: must be between 1 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a URL like postgres:/],
    [{ KIZUNA_SECRET_KEY: 'too-short' }, /KIZUNA_SECRET_KEY: must be 32 random bytes in base64/],
    [{ KIZUNA_ROLE: 'both' }, /KIZUNA_ROLE:/],
    [{ KIZUNA_WORKER_NICE: '25' }, /KIZUNA_WORKER_NICE:/],
    [{ KIZUNA_METRICS_PORT: 'ninety' }, /KIZUNA_METRICS_PORT: must be a number \(got "ninety"\)/],
    [{ KIZUNA_METRICS_PORT: '0' }, /KIZUNA_METRICS_PORT: must be between 1 and 65535/],
    [{ KIZUNA_PREPARED_STATEMENTS: 'no' }, /KIZUNA_PREPARED_STATEMENTS: must be true or false/],
    [{ KIZUNA_NOTICE_WEBHOOK_URL: 'ftp://hooks.example.com/x' }, /KIZUNA_NOTICE_WEBHOOK_URL:/],
  ])('names the variable and the problem: %o', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('never echoes a secret value in its message', () => {
    const secret = 'postgres-but-not-really-a-url-hunter2';
    expect(() => parseConfig({ DATABASE_URL: secret })).toThrow(/DATABASE_URL/);
    try {
      parseConfig({ DATABASE_URL: secret, KIZUNA_SECRET_KEY: 'hunter2' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });
});

describe('starting with invalid configuration', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }, 'KIZUNA_SECRET_KEY'],
  ])('exits 1 naming the variable: %o', async (env, name) => {
    const server = spawnKizuna(env);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(name);
  });
});
