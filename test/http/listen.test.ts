import { describe, expect, it } from 'vitest';
import { listen } from '../../src/http/listen.js';

const hello = (_req: unknown, res: { end(text: string): void }) => res.end('hello');

describe('listen', () => {
  it('resolves once the port is bound, with the URL of the port the system chose', async () => {
    const server = await listen(hello, { host: '127.0.0.1', port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.url).not.toMatch(/:0$/);
      expect(await (await fetch(server.url)).text()).toBe('hello');
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken, instead of failing later with an error event', async () => {
    const first = await listen(hello, { host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(listen(hello, { host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });

  it('closes with a keep-alive connection still open, and refuses new connections afterwards', async () => {
    const server = await listen(hello, { host: '127.0.0.1', port: 0 });
    // fetch keeps its connection alive: close() must not wait for it.
    expect((await fetch(server.url)).status).toBe(200);
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('rejects a second close rather than leaving it unanswered', async () => {
    const server = await listen(hello, { host: '127.0.0.1', port: 0 });
    await server.close();
    await expect(server.close()).rejects.toMatchObject({ code: 'ERR_SERVER_NOT_RUNNING' });
  });
});
