/**
 * Postback routing. A postback's `data` is matched against registered handlers by prefix
 * (e.g. `menu:`, `form:`); later features (rich-menu actions, message actions) register theirs.
 * Postbacks are always stored; a postback no handler claims is kept with handler = null.
 */
export interface PostbackContext {
  botId: string;
  friendId: string;
  lineUserId: string;
  data: string;
  params: Record<string, unknown> | undefined;
  occurredAt: Date;
}

export interface PostbackHandler {
  /** Stable name, stored with each postback it handled. */
  name: string;
  matches(data: string): boolean;
  /** Runs inside the event's transaction; must not call LINE directly (enqueue a job instead). */
  handle(ctx: PostbackContext): Promise<void>;
}

export class PostbackRegistry {
  private readonly handlers: PostbackHandler[] = [];

  register(handler: PostbackHandler): this {
    if (this.handlers.some((h) => h.name === handler.name)) {
      throw new Error(`postback handler "${handler.name}" is registered twice`);
    }
    this.handlers.push(handler);
    return this;
  }

  find(data: string): PostbackHandler | undefined {
    return this.handlers.find((h) => h.matches(data));
  }
}
