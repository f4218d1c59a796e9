import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server, for faults a healthy server cannot be made to show: it
 * can swallow what the server sends (bytes a client never receives, as when a connection dies with
 * data in flight) and cut every connection at once. Clients reconnect through it as usual.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<[Socket, Socket]>();
  private swallowing = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect({ host: this.targetHost, port: this.targetPort });
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => {
        if (!this.swallowing) client.write(chunk);
      });
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** From now on, what the server sends is dropped (what the client sends still goes through). */
  swallowDownstream(): void {
    this.swallowing = true;
  }

  /** Closes every open connection; new ones are forwarded both ways again. */
  cutAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    this.swallowing = false;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
