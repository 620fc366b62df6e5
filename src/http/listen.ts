import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server that is accepting connections, and the way to stop it. */
export interface Listening {
  /** `http://host:port`, with the port the system chose when 0 was asked for. */
  url: string;
  /**
   * Stops accepting and resolves once the requests in flight are answered (idle keep-alive connections are closed
   * at once); `force` cuts open connections too. Rejects when the server fails to close.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * Serves `app` (a Koa app, or a plain request listener) on `host:port` and resolves once the port is bound, so a
 * port in use or a host that does not resolve rejects here instead of surfacing later as an `error` event.
 */
export async function listen(
  app: { callback(): RequestListener } | RequestListener,
  { host, port }: { host: string; port: number },
): Promise<Listening> {
  const server = createServer(typeof app === 'function' ? app : app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: ({ force = false } = {}) =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // close() waits for every open connection: idle keep-alive sockets would hold it open indefinitely.
        if (force) server.closeAllConnections();
        else server.closeIdleConnections();
      }),
  };
}
