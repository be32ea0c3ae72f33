import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CuttingProxy {
  /** `http://127.0.0.1:<port>`: use in place of the upstream's base URL. */
  url: string;
  /** The request head of every connection's first request (request line and headers), in order. */
  requestHeads: string[];
  close(): Promise<void>;
}

/**
 * Test support: a loopback TCP proxy in front of a real server that cuts the first connection after
 * `cutAfterBytes` bytes of response (both sockets destroyed, as when a link drops), and passes every
 * later connection through untouched. Lets a test interrupt a real hub's download half-way.
 */
export async function startCuttingProxy(upstreamUrl: string, cutAfterBytes: number): Promise<CuttingProxy> {
  const upstream = new URL(upstreamUrl);
  const requestHeads: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    const first = connections++ === 0;
    const target = connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    let head = '';
    client.on('data', (d: Buffer) => {
      if (!head.includes('\r\n\r\n')) {
        head += d.toString('latin1');
        if (head.includes('\r\n\r\n')) requestHeads.push(head.slice(0, head.indexOf('\r\n\r\n')));
      }
      target.write(d);
    });
    let sent = 0;
    target.on('data', (d: Buffer) => {
      if (first && sent + d.length >= cutAfterBytes) {
        client.write(d.subarray(0, cutAfterBytes - sent), () => {
          client.destroy();
          target.destroy();
        });
        sent = cutAfterBytes;
        target.pause();
        return;
      }
      sent += d.length;
      client.write(d);
    });
    client.on('end', () => target.end());
    target.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requestHeads,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
