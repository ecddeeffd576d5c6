// A faithful fake of the LINE platform for tests and the demo mode: one Hono app serving the
// api.line.me and api-data.line.me paths Kizuna uses, checked against LINE's official OpenAPI
// spec, with LINE's auth, retry-key, rate-limit and quota behaviour, simulated users, and the
// user side of webhooks (signed event payloads posted to Kizuna).
import { listenApp } from './listen.ts';
import { Hono } from 'hono';
import { createEventBuilders, type EventBuilders } from './line/events.ts';
import { createFaults } from './line/faults.ts';
import { createLogin, type IssueIdTokenOptions, type Verification } from './line/login.ts';
import { messagingRoutes } from './line/messaging.ts';
import { mountRoutes, type Route } from './line/pipeline.ts';
import { createRateLimiter } from './line/rate-limit.ts';
import { createRichMenus } from './line/rich-menus.ts';
import type {
  AcceptedRequest,
  Delivery,
  Fault,
  FakeLineOptions,
  RejectedRequest,
  UserProfile,
  WebhookEvent,
} from './line/types.ts';
import { createWebhookSender, type SendWebhookOptions, type SentWebhook } from './line/webhook.ts';
import { createWorld, type World } from './line/world.ts';

export type * from './line/types.ts';
export { signWebhook } from './line/webhook.ts';
export { validateCallbackRequest, validateWebhookEvent } from './line/webhook-schema.ts';
export { makePng } from './line/png.ts';

export interface FakeLine {
  /** Serves both hosts: point the Messaging API client and the blob client at the same URL. */
  app: Hono;
  listen(port?: number): Promise<{ url: string; close(): Promise<void> }>;
  accepted: AcceptedRequest[];
  rejected: RejectedRequest[];
  /** Refused because the official spec or documented limits forbid them: should stay empty. */
  specViolations: RejectedRequest[];
  /** Every message sent, with who it reached. */
  deliveries: Delivery[];
  webhooksSent: SentWebhook[];
  /** Messages that reached a user, oldest first. */
  messagesTo(userId: string, channelId?: string): unknown[];
  inject(fault: Fault): void;
  users: World['users'];
  addUser(profile?: Partial<UserProfile>, opts?: { friendOf?: string[] }): UserProfile;
  getProfile(userId: string): UserProfile | undefined;
  /** null = no limit (quota type "none", the default). */
  setMonthlyQuota(channelId: string, n: number | null): void;
  consumption(channelId: string): number;
  richMenus: Omit<ReturnType<typeof createRichMenus>, 'routes' | 'reset'>;
  events: EventBuilders;
  /** LINE Login: an ID token of a simulated user for a login channel (HS256, its secret). */
  issueIdToken(userId: string, opts: IssueIdTokenOptions): string;
  /** Every `POST /oauth2/v2.1/verify` answered, oldest first. */
  idTokenVerifications: Verification[];
  /**
   * The user finishes Account Link at access.line.me with the shop's nonce: the accountLink
   * event LINE sends (result `failed` for a used or expired link token); undefined for a token
   * LINE never issued.
   */
  completeAccountLink(linkToken: string, nonce: string): WebhookEvent | undefined;
  sendWebhook(
    targetUrl: string,
    channelId: string,
    events: WebhookEvent[] | string,
    opts?: SendWebhookOptions,
  ): Promise<Response>;
  reset(): void;
}

import { watchSpecViolations } from './line/guard.ts';

export function createFakeLine(opts: FakeLineOptions): FakeLine {
  const now = opts.now ?? Date.now;
  const world = createWorld(opts.channels, now);
  const limiter = createRateLimiter(opts.rateLimits ?? {}, now);
  const faults = createFaults();
  const richMenus = createRichMenus(world);
  const accepted: AcceptedRequest[] = [];
  const rejected: RejectedRequest[] = [];
  const specViolations: RejectedRequest[] = [];
  if (!opts.expectSpecViolations) watchSpecViolations(specViolations);
  const webhooksSent: SentWebhook[] = [];

  const login = createLogin(world, now, faults);
  const events = createEventBuilders(world, now);

  const app = new Hono();
  login.mount(app);
  const linkTokenRoute: Route = {
    method: 'POST',
    path: '/v2/bot/user/{userId}/linkToken',
    handle: (call) => ({
      status: 200,
      body: { linkToken: login.issueLinkToken(call.channel.channelId, call.params.userId ?? '') },
    }),
  };
  mountRoutes(app, [...messagingRoutes(world, now), ...richMenus.routes, linkTokenRoute], {
    world,
    now,
    limiter,
    faults,
    accepted,
    rejected,
    specViolations,
  });

  const listen = (port = 0) => listenApp(app, port, () => faults.release());

  const { routes: _routes, reset: resetMenus, ...menuQueries } = richMenus;
  return {
    app,
    listen,
    accepted,
    rejected,
    specViolations,
    deliveries: world.deliveries,
    webhooksSent,
    messagesTo: (userId, channelId) =>
      world.deliveries
        .filter((d) => d.deliveredTo.includes(userId) && (!channelId || d.channelId === channelId))
        .flatMap((d) => d.messages),
    inject: (fault) => faults.inject(fault),
    users: world.users,
    addUser: (profile, o) => world.users.add(profile, o),
    getProfile: (userId) => world.users.get(userId),
    setMonthlyQuota: (channelId, n) => world.setMonthlyQuota(channelId, n),
    consumption: (channelId) => world.usage(channelId),
    richMenus: menuQueries,
    events,
    issueIdToken: (userId, o) => login.issueIdToken(userId, o),
    idTokenVerifications: login.verifications,
    completeAccountLink(linkToken, nonce) {
      const spent = login.spendLinkToken(linkToken);
      if (!spent) return undefined;
      return events.accountLink(spent.userId, nonce, spent.ok ? 'ok' : 'failed');
    },
    sendWebhook: createWebhookSender(world, now, webhooksSent),
    reset() {
      for (const list of [accepted, rejected, specViolations, webhooksSent]) list.length = 0;
      world.reset();
      limiter.reset();
      faults.clear();
      faults.release();
      resetMenus();
      login.reset();
    },
  };
}
