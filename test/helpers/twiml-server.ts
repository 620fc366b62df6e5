import type { IncomingMessage } from 'node:http';
import { listen } from '../../src/http/listen.js';

export interface Received {
  method: string;
  /** The full URL as requested. */
  url: string;
  path: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
}

export type Reply = { status?: number; type?: string; body: string };

/** A web server that answers each path with crafted TwiML, good or bad, and keeps every request it received. */
export async function startTwimlServer(routes: Record<string, Reply | ((req: Received) => Reply)>) {
  const received: Received[] = [];
  const server = await listen(
    async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const params: Record<string, string> = {};
      const source = req.method === 'GET' ? url.searchParams : new URLSearchParams(Buffer.concat(chunks).toString());
      for (const [k, v] of source) params[k] = v;
      const request = {
        method: req.method ?? '',
        url: url.toString(),
        path: url.pathname,
        headers: req.headers,
        params,
      };
      received.push(request);
      const route = routes[url.pathname];
      const reply = typeof route === 'function' ? route(request) : route;
      if (!reply) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
        return;
      }
      res.writeHead(reply.status ?? 200, { 'content-type': reply.type ?? 'text/xml' }).end(reply.body);
    },
    { host: '127.0.0.1', port: 0 },
  );
  return { url: server.url, received, close: () => server.close({ force: true }) };
}

export const twiml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
