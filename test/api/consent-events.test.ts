import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsentEvent } from '../../src/db/schema.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { ENGINES } from '../helpers/engines.js';
import { addEvents, addManyEvents, allEvents, asExported, ivrEvent } from '../helpers/ledger.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'admin-token-0123456789abcdef';
let server: TestServer;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN }, { engine });
  });
  afterEach(() => server.close());

  const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  describe('GET /api/consent-events', () => {
    it('pages through every matching event exactly once with the cursor', async () => {
      await addManyEvents(server.context.store, 250);
      const rows = await allEvents(server.context.store);
      const seen: ConsentEvent[] = [];
      let path = '/api/consent-events?limit=60';
      let pages = 0;
      for (;;) {
        const body = (await (await get(path)).json()) as { events: ConsentEvent[]; next_cursor: string | null };
        seen.push(...body.events);
        pages += 1;
        if (!body.next_cursor) break;
        path = `/api/consent-events?limit=60&cursor=${body.next_cursor}`;
      }
      expect(pages).toBe(5);
      expect(seen).toEqual(asExported(rows));
      const marketing = (await (await get('/api/consent-events?category=marketing&limit=1000')).json()) as {
        events: ConsentEvent[];
      };
      expect(marketing.events.map((e) => e.seq)).toEqual(
        rows.filter((r) => r.category === 'marketing').map((r) => r.seq),
      );
    });

    it('pages through a period with the cursor, every event of it once and nothing around it', async () => {
      const many = (n: number) => Array.from({ length: n }, () => ivrEvent());
      await addEvents(server.context.store, many(30), '2026-10-31T12:00:00.000Z');
      await addEvents(server.context.store, many(130), '2026-11-05T12:00:00.000Z');
      await addEvents(server.context.store, many(30), '2026-12-01T00:00:00.000Z');
      const seen: number[] = [];
      let cursor = '';
      for (let pages = 0; pages < 10; pages += 1) {
        const body = (await (
          await get(`/api/consent-events?since=2026-11&until=2026-11&limit=50${cursor}`)
        ).json()) as {
          events: ConsentEvent[];
          next_cursor: string | null;
        };
        seen.push(...body.events.map((e) => e.seq));
        if (!body.next_cursor) break;
        cursor = `&cursor=${body.next_cursor}`;
      }
      expect(seen).toEqual(Array.from({ length: 130 }, (_, i) => 31 + i));
      const empty = await (await get('/api/consent-events?since=2027-01-01')).json();
      expect(empty).toEqual({ events: [], next_cursor: null });
    });

    it('applies the time filters: since inclusive, until exclusive, a date-only until includes its day', async () => {
      await addEvents(server.context.store, [ivrEvent()], '2026-10-31T23:59:59.999Z');
      await addEvents(server.context.store, [ivrEvent()], '2026-11-01T00:00:00.000Z');
      await addEvents(server.context.store, [ivrEvent()], '2026-11-30T23:59:59.999Z');
      await addEvents(server.context.store, [ivrEvent()], '2026-12-01T00:00:00.000Z');
      const seqs = async (q: string) =>
        ((await (await get(`/api/consent-events?${q}`)).json()) as { events: ConsentEvent[] }).events.map((e) => e.seq);
      expect(await seqs('since=2026-11-01&until=2026-11-30')).toEqual([2, 3]);
      expect(await seqs('since=2026-11-01T00:00:00Z&until=2026-11-30T23:59:59.999Z')).toEqual([2]);
      expect(await seqs('since=2026-11-01T01:00:00%2B01:00')).toEqual([2, 3, 4]);
    });

    it.each([
      ['since=2026-11-31', 'since'],
      ['until=tomorrow', 'until'],
      ['until=9999-12', 'until'],
      ['since=0050-01', 'since'],
      ['decision=yes', 'decision'],
      ['phone=123', 'phone'],
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['cursor=nonsense', 'cursor'],
      ['bussiness=Demo', 'bussiness'],
      ['category=a&category=b', 'category'],
    ])('answers 400 naming the parameter for ?%s', async (query, parameter) => {
      const res = await get(`/api/consent-events?${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_parameter', parameter });
    });
  });

  describe('GET /api/consent-events/export', () => {
    it('names a download after its filters and period, so two downloads never share a name', async () => {
      const name = async (query: string) =>
        (await get(`/api/consent-events/export?${query}`)).headers.get('content-disposition');
      expect(await name('format=xlsx&business=Demo%20Shop&category=utility&since=2026-11&until=2026-11')).toBe(
        'attachment; filename="consent-events_demo-shop_utility_from-2026-11-01_before-2026-12-01.xlsx"',
      );
      expect(await name('decision=opt_out&phone=%2B14155550123')).toBe(
        'attachment; filename="consent-events_opt_out_phone-0123.csv"',
      );
      expect(await name('format=jsonl&since=2026-11-05T10%3A30%3A00Z')).toBe(
        'attachment; filename="consent-events_from-2026-11-05T10-30-00.jsonl"',
      );
    });

    it('streams the same spreadsheet-safe CSV as the CLI, as a download', async () => {
      await addEvents(server.context.store, [ivrEvent(), ivrEvent({ category: 'marketing', reason: '=1+1' })]);
      const rows = await allEvents(server.context.store);
      const res = await get('/api/consent-events/export?columns=all');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="consent-events.csv"');
      const parsed = parse(await res.text(), { columns: true }) as Record<string, string>[];
      expect(parsed.map((r) => r.hash)).toEqual(rows.map((r) => r.hash));
      expect(parsed[1]).toMatchObject({ phone_number: "'+14155550123", reason: "'=1+1" });
    });

    it('streams the summary a person reads by default, times in the asked zone and in UTC', async () => {
      await addEvents(server.context.store, [ivrEvent({ business: 'Bäckerei Müller' })], '2026-07-01T10:00:00.000Z');
      const res = await get('/api/consent-events/export?time_zone=Europe/Berlin');
      const [header, first] = (await res.text()).split('\r\n');
      expect(header).toBe(
        'Recorded at (Europe/Berlin),Recorded at (UTC),Phone number,Business,Category,Decision,Source,Reason,Call reference,Language',
      );
      expect(first).toBe(
        "2026-07-01 12:00:00,2026-07-01 10:00:00,'+14155550123,Bäckerei Müller,utility,opt_in,ivr,,,en-US",
      );
    });

    it('streams jsonl with every field exact, and a raw CSV with a BOM', async () => {
      await addEvents(server.context.store, [ivrEvent({ reason: '-5' })]);
      const rows = await allEvents(server.context.store);
      const jsonl = await (await get('/api/consent-events/export?format=jsonl')).text();
      expect(
        jsonl
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual(asExported(rows));
      const raw = Buffer.from(await (await get('/api/consent-events/export?format=csv&raw=true&bom=1')).arrayBuffer());
      expect(raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(raw.toString('utf8')).toContain(',+14155550123,');
      expect(raw.toString('utf8')).toContain(',-5,');
    });

    it('streams an xlsx workbook that exceljs opens, filtered like the CLI', async () => {
      await addEvents(server.context.store, [ivrEvent(), ivrEvent({ decision: 'declined' }), ivrEvent()]);
      const res = await get('/api/consent-events/export?format=xlsx&decision=opt_in&columns=all');
      expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await res.arrayBuffer());
      const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
      expect(sheet.getRow(1).values).toEqual([undefined, ...EXPORT_COLUMNS]);
      expect(sheet.getColumn(1).values.slice(2)).toEqual(['1', '3']);
    });

    it.each([
      ['format=pdf', 'format'],
      ['format=xlsx&bom=true', 'bom'],
      ['raw=maybe', 'raw'],
      ['since=2026-02-29', 'since'],
      ['until=9999-12', 'until'],
      ['limit=10', 'limit'],
      ['columns=wide', 'columns'],
      ['format=jsonl&columns=summary', 'columns'],
      ['time_zone=Mars%2FOlympus', 'time_zone'],
    ])('answers 400 naming the parameter for ?%s', async (query, parameter) => {
      const res = await get(`/api/consent-events/export?${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_parameter', parameter });
    });

    it('stops the export when a client abandons a large download, and keeps serving', async () => {
      await addManyEvents(server.context.store, 20_000);
      for (const format of ['csv', 'xlsx']) {
        // How the server's export ended: stopped by the client going away, or written out to the end regardless.
        let ended!: (how: { stopped: boolean; err?: unknown; rows?: number }) => void;
        const outcome = new Promise<{ stopped: boolean; err?: unknown; rows?: number }>((resolve) => {
          ended = resolve;
        });
        const logger = server.context.logger;
        const warn = vi.spyOn(logger, 'warn').mockImplementation(((
          obj: { format?: string; err?: unknown },
          msg?: string,
        ) => {
          if (msg === 'export stopped before the end' && obj.format === format) ended({ stopped: true, err: obj.err });
        }) as typeof logger.warn);
        const info = vi.spyOn(logger, 'info').mockImplementation(((
          obj: { format?: string; rows?: number },
          msg?: string,
        ) => {
          if (msg === 'export sent' && obj.format === format) ended({ stopped: false, rows: obj.rows });
        }) as typeof logger.info);
        const controller = new AbortController();
        const res = await fetch(`${server.url}/api/consent-events/export?format=${format}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
          signal: controller.signal,
        });
        const reader = res.body?.getReader();
        await reader?.read();
        controller.abort();
        const how = await outcome;
        warn.mockRestore();
        info.mockRestore();
        // The export noticed the client leaving and stopped, with the cause; it did not write 20,000 rows into the void.
        expect(how).toMatchObject({ stopped: true });
        expect(how.err).toBeInstanceOf(Error);
      }
      expect((await get('/api/subscribers/+14155550123')).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    });
  });
});
