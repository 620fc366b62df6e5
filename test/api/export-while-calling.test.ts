import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addManyEvents } from '../helpers/ledger.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'admin-token-0123456789abcdef';
let server: TestServer;
beforeEach(async () => {
  server = await startServer({ ADMIN_TOKEN: TOKEN });
  await addManyEvents(server.context.store, 60_000);
  // Seeding and exporting 60,000 events is slow on a loaded 2-core machine; this is about order, not speed.
}, 120_000);
afterEach(() => server.close());

describe('a large export and a phone call at the same time', () => {
  it('answers the voice webhooks while the export is still being read', { timeout: 120_000 }, async () => {
    const order: string[] = [];
    // The server's own word that it has produced the whole export (the client may still be reading it).
    server.context.logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          if (line.includes('"export sent"')) order.push('export produced');
        },
      },
    );
    const exportDone = (async () => {
      const res = await fetch(`${server.url}/api/consent-events/export?format=jsonl`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      let lines = 0;
      let tail = '';
      let firstChunk = true;
      const text = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const byte of chunk) if (byte === 0x0a) lines += 1;
        tail = (tail + text.decode(chunk, { stream: true })).slice(-2000);
        if (firstChunk) {
          firstChunk = false;
          order.push('export started');
        }
      }
      order.push('export finished');
      return { lines, last: JSON.parse(tail.trimEnd().split('\n').at(-1) as string) as { seq: number } };
    })();
    // The call begins once the export is streaming, so it has to get in between the export's pages.
    while (!order.includes('export started')) await new Promise((r) => setTimeout(r, 1));
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    order.push('call answered');
    await caller.press('1');
    order.push('key answered');

    const exported = await exportDone;
    // A blocking export would have produced everything before the first byte reached the client.
    expect(order).toEqual(['export started', 'call answered', 'key answered', 'export produced', 'export finished']);
    // The export is whole: every one of the 60,000 lines arrived, the last event last (the call recorded none).
    expect(exported.lines).toBe(60_000);
    expect(exported.last.seq).toBe(60_000);
  });
});
