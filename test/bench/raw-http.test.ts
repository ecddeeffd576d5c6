import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawHttpPool } from '../../bench/lib/raw-http.ts';

// The open-loop load generator's HTTP client (bench/lib/raw-http.ts) against Node's own server:
// what it sends must arrive intact, and what it cannot read must fail the request, not hang it.

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function serve(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void) {
  const connections = { count: 0 };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  server.on('connection', () => (connections.count += 1));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, connections };
}

const head = (port: number) =>
  `POST /webhooks/line/default HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-line-signature: abc=\r\n`;

describe('RawHttpPool', () => {
  it('delivers the body and headers intact, reads the status, and reuses its connections', async () => {
    const seen: Array<{ path: string; signature: string; sha: string }> = [];
    const { port, connections } = await serve((req, body, res) => {
      seen.push({
        path: req.url!,
        signature: String(req.headers['x-line-signature']),
        sha: createHash('sha256').update(body).digest('hex'),
      });
      res.statusCode = body.length > 10 ? 200 : 400;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}'); // Node adds Content-Length
    });
    const pool = new RawHttpPool('127.0.0.1', port, 4);
    const bodies = Array.from({ length: 40 }, (_, i) =>
      Buffer.from(JSON.stringify({ events: [], n: i, pad: 'é'.repeat(i * 50) })),
    );
    const statuses = await Promise.all(bodies.map((b) => pool.post(head(port), b)));
    expect(statuses).toEqual(bodies.map((b) => (b.length > 10 ? 200 : 400)));
    expect(new Set(seen.map((s) => s.sha))).toEqual(
      new Set(bodies.map((b) => createHash('sha256').update(b).digest('hex'))),
    );
    expect(seen.every((s) => s.path === '/webhooks/line/default' && s.signature === 'abc=')).toBe(
      true,
    );
    expect(connections.count).toBeLessThanOrEqual(4);
    expect(await pool.post(head(port), Buffer.from('short'))).toBe(400);
    pool.close();
  });

  it('opens a new connection after the server closes one', async () => {
    const { port, connections } = await serve((_req, _body, res) => {
      res.writeHead(200, { 'content-length': '2', connection: 'close' });
      res.end('{}');
    });
    const pool = new RawHttpPool('127.0.0.1', port, 1);
    for (let i = 0; i < 3; i++) {
      expect(await pool.post(head(port), Buffer.from('{"events":[]}'))).toBe(200);
      await new Promise((r) => setTimeout(r, 20)); // the close arrives
    }
    expect(connections.count).toBe(3);
    pool.close();
  });

  it('fails a request whose answer it cannot read, and goes on with the next', async () => {
    let calls = 0;
    const { port } = await serve((_req, _body, res) => {
      calls += 1;
      if (calls === 1) {
        res.write('{"chunked":'); // no Content-Length: Node answers chunked
        res.end('true}');
      } else res.end('{}');
    });
    const pool = new RawHttpPool('127.0.0.1', port, 1);
    await expect(pool.post(head(port), Buffer.from('{}'))).rejects.toThrow(/Content-Length/);
    expect(await pool.post(head(port), Buffer.from('{}'))).toBe(200);
    pool.close();
  });

  it('fails, rather than hangs, when nothing listens', async () => {
    const { port } = await serve((_req, _body, res) => res.end());
    server!.close();
    await new Promise((r) => setTimeout(r, 20));
    const pool = new RawHttpPool('127.0.0.1', port, 1);
    await expect(pool.post(head(port), Buffer.from('{}'))).rejects.toThrow();
    pool.close();
  });

  it('fails the requests waiting for a connection when the server goes away', async () => {
    const { port } = await serve((_req, _body, res) => {
      // The first request's answer closes the server: the queued requests find nobody.
      res.setHeader('connection', 'close');
      res.end('{}');
      server!.close();
    });
    const pool = new RawHttpPool('127.0.0.1', port, 1);
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () => pool.post(head(port), Buffer.from('{}'))),
    );
    expect(results[0]).toEqual({ status: 'fulfilled', value: 200 });
    expect(results.slice(1).every((r) => r.status === 'rejected')).toBe(true);
    pool.close();
  });
});
