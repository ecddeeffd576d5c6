// The ceiling for the webhook benchmark: a bare Hono handler on the same Node HTTP server that
// reads the body and answers 200, nothing else.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.post('*', async (c) => {
  await c.req.arrayBuffer();
  return c.json({}, 200);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () =>
  process.send?.('ready'),
);
