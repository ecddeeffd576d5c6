import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a fake's Hono app on 127.0.0.1 (port 0 = any free port). `close` first runs
 * `beforeClose` (fakes release requests they hold hanging for timeout tests), then drops open
 * connections so a test never waits on keep-alive sockets.
 */
export async function listenApp(
  app: Hono,
  port = 0,
  beforeClose: () => void = () => {},
): Promise<Listening> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s as Server));
    s.once('error', reject);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    async close() {
      beforeClose();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((e) => (e ? reject(e) : resolve())),
      );
    },
  };
}
