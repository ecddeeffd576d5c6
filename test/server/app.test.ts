import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, openTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp({ bodyLimitBytes: 1024 });
  t.app.get('/boom', () => {
    throw new Error('kaboom: internal detail');
  });
});
afterAll(() => t.close());

describe('the app shell', () => {
  it('answers /healthz with a database check', async () => {
    const res = await t.api('GET', '/healthz', undefined, null);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', database: { ok: true, dialect: t.testDb.dialect } });
    expect(typeof body.database.latencyMs).toBe('number');
  });

  it('answers 503 when the database is gone', async () => {
    const other = await openTestApp();
    await other.testDb.db.close();
    const res = await other.api('GET', '/healthz', undefined, null);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'degraded', database: { ok: false } });
    await other.testDb.close();
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    const res = await t.api('GET', '/no/such/route');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /no/such/route' },
    });
  });

  it('answers 413 to a body over the limit, without reading it into a route', async () => {
    const res = await t.api('POST', '/api/bots', { name: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    expect((await (await t.api('GET', '/api/bots')).json()).items).toEqual([]);
  });

  it('answers 413 to a chunked body (no declared length) once it streams past the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(600));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await t.app.request('/api/bots', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('turns a thrown error into a 500 whose stack reaches only the log', async () => {
    const res = await t.api('GET', '/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'internal_error', message: 'something went wrong on our side' },
    });
    expect(text).not.toContain('kaboom');
    expect(t.logs.some((line) => line.includes('kaboom') && line.includes('"stack"'))).toBe(true);
  });

  it('serves one OpenAPI document describing the routes', async () => {
    const res = await t.api('GET', '/api/openapi.json', undefined, null);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/api/bots', '/api/bots/{botId}']),
    );
  });
});
