/**
 * A forward proxy on 127.0.0.1 for tests: it answers HTTP CONNECT, records every tunnel asked for (target and
 * Proxy-Authorization), and can require Basic credentials, refuse every tunnel or never answer. It only ever tunnels to
 * 127.0.0.1 or localhost, so a test that goes wrong cannot reach any other address through it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ConnectRecord {
  /** `host:port` as asked in the CONNECT line. */
  target: string;
  /** The Proxy-Authorization header, if any. */
  authorization?: string;
  /** The status the proxy answered. */
  status: number;
}

export interface TestProxyOptions {
  /** Answer every CONNECT with 403 Forbidden. */
  refuse?: boolean;
  /** Never answer a CONNECT (a proxy that hangs); the sockets close with the proxy. */
  silent?: boolean;
  /** Require these Basic credentials (407 without them). */
  credentials?: { user: string; password: string };
}

export interface TestProxy {
  /** `http://127.0.0.1:PORT` (no credentials). */
  url: string;
  port: number;
  connects: ConnectRecord[];
  /** Requests in absolute form (forwarded plain HTTP), which this proxy does not serve. */
  plainRequests: string[];
  /** The ports of the tunnels asked for. */
  portsSeen(): Set<number>;
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

function answer(socket: Duplex, status: number, reason: string, extra = ''): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
}

export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const connects: ConnectRecord[] = [];
  const plainRequests: string[] = [];
  const open = new Set<Duplex>();
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;

  const server = createServer((req, res) => {
    plainRequests.push(req.url ?? '');
    res.writeHead(501, { 'Content-Type': 'text/plain' }).end('this test proxy serves CONNECT only');
  });

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    const target = req.url ?? '';
    const authorization = req.headers['proxy-authorization'];
    const record: ConnectRecord = { target, status: 0, ...(authorization ? { authorization } : {}) };
    connects.push(record);
    if (options.silent) return;
    const match = /^(.+):(\d+)$/.exec(target);
    const host = match?.[1] ?? '';
    if (options.refuse || !match || !LOCAL_HOSTS.has(host)) {
      record.status = 403;
      return answer(client, 403, 'Forbidden');
    }
    if (expected && authorization !== expected) {
      record.status = 407;
      return answer(
        client,
        407,
        'Proxy Authentication Required',
        'Proxy-Authenticate: Basic realm="test"\r\n',
      );
    }
    const upstream: Socket = connect(Number(match[2]), host, () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => {
      if (!record.status) {
        record.status = 502;
        answer(client, 502, 'Bad Gateway');
      } else client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    plainRequests,
    portsSeen: () => new Set(connects.map((c) => Number(/:(\d+)$/.exec(c.target)?.[1]))),
    close: async () => {
      for (const socket of open) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
