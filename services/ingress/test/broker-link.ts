import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/**
 * A TCP proxy between one Kafka client and the broker, with a switch: `cut()` drops every open
 * connection and stops listening, so new ones are refused (ECONNREFUSED, as with a stopped
 * broker); `restore()` listens again on the same port. The client's `socketFactory` sends every broker connection, including
 * those to the address the broker advertises in metadata, through it, so an outage can be
 * simulated for one client without stopping the broker other tests and engineers share.
 */
export class BrokerLink {
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  static async start(broker: string): Promise<BrokerLink> {
    const [host, port] = broker.split(':');
    const target = { host: host!, port: Number(port) };
    let link!: BrokerLink;
    const server = createServer((client) => link.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    link = new BrokerLink(server, target, typeof address === 'object' && address ? address.port : 0);
    return link;
  }

  private accept(client: Socket): void {
    const upstream = connect(this.target);
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on('close', () => this.open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  /** For the Kafka constructor: every broker connection goes through this link. */
  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    if (host !== this.target.host || port !== this.target.port) {
      // A second broker would need its own link: fail loudly rather than bypass the switch.
      throw new Error(`BrokerLink proxies ${this.target.host}:${this.target.port} only; kafkajs asked for ${host}:${port}`);
    }
    const socket = connect({ host: '127.0.0.1', port: this.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    await closed;
  }

  async restore(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.cut();
  }
}
