import { connect, type Socket } from 'node:net';

/**
 * A minimal HTTP/1.1 client for the open-loop load generator: keep-alive connections, one request
 * in flight on each, requests written as prebuilt bytes and answers read by Content-Length. It
 * stands in for LINE's servers, which in production spend none of the machine's CPU: a general
 * client (undici) cost the generator about 200 µs per request at a steady pace, a tenth of a core
 * taken from the processes being measured on a small machine. Anything it does not expect (a
 * chunked answer, a closed connection) fails that request, which the benchmark counts as an error.
 */
export class RawHttpPool {
  private readonly idle: Connection[] = [];
  private readonly waiting: Array<{ resolve(c: Connection): void; reject(e: unknown): void }> = [];
  private open = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxConnections: number,
  ) {}

  /** POSTs `body` with `head` (request line and headers, without Content-Length); resolves to the status. */
  async post(head: string, body: Uint8Array): Promise<number> {
    const connection = await this.acquire();
    try {
      const status = await connection.send(
        Buffer.from(`${head}content-length: ${body.byteLength}\r\n\r\n`, 'latin1'),
        body,
      );
      this.release(connection);
      return status;
    } catch (error) {
      connection.destroy();
      this.open -= 1;
      this.handOver();
      throw error;
    }
  }

  close(): void {
    for (const c of this.idle.splice(0)) c.destroy();
  }

  private acquire(): Promise<Connection> {
    // Most recently used first: the connections the server keeps alive are the busy ones.
    while (this.idle.length > 0) {
      const c = this.idle.pop()!;
      if (c.usable()) return Promise.resolve(c);
      c.destroy();
      this.open -= 1;
    }
    if (this.open < this.maxConnections) {
      this.open += 1;
      return Connection.open(this.host, this.port).catch((error: unknown) => {
        this.open -= 1;
        throw error;
      });
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) next.resolve(connection);
    else this.idle.push(connection);
  }

  /** A connection was lost: a waiting request opens its own (and fails if it cannot). */
  private handOver(): void {
    const next = this.waiting.shift();
    if (!next) return;
    this.open += 1;
    Connection.open(this.host, this.port).then(next.resolve, (error: unknown) => {
      this.open -= 1;
      next.reject(error);
    });
  }
}

/** Servers close idle keep-alive connections (Node's after 5 s); older ones are not reused. */
const IDLE_LIMIT_MS = 4000;

class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve(status: number): void; reject(error: Error): void } | undefined;
  private closed = false;
  private lastUsed = performance.now();

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (error?: Error) => {
      this.closed = true;
      this.pending?.reject(error ?? new Error('connection closed'));
      this.pending = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  usable(): boolean {
    return !this.closed && performance.now() - this.lastUsed < IDLE_LIMIT_MS;
  }

  send(head: Buffer, body: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(body);
      this.socket.uncork();
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffered.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const pending = this.pending;
    if (!pending) return this.destroy();
    if (!length) {
      this.pending = undefined;
      pending.reject(new Error('answer without Content-Length'));
      return;
    }
    const total = end + 4 + Number(length[1]);
    if (this.buffered.length < total) return;
    if (this.buffered.length > total) {
      this.pending = undefined;
      pending.reject(new Error('bytes after the answer'));
      return;
    }
    this.buffered = Buffer.alloc(0);
    this.pending = undefined;
    this.lastUsed = performance.now();
    pending.resolve(Number(head.slice(9, 12)));
  }
}
