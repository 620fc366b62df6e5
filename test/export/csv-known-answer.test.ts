import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/db/ledger.js';
import { writeTransaction } from '../../src/db/store.js';
import { exportEvents } from '../../src/export/write-export.js';
import { ivrEvent, tempStore } from '../helpers/ledger.js';

// Known answer: example 1 of docs/ledger.md written through the real append path and exported. Its hash is the
// documented one (recomputable with sha256sum), and its CSV line is fixed here, field by field, as RFC 4180 says.

const HEADER =
  'seq,recorded_at,event_id,phone_number,number_source,business,channel,category,decision,source,digits,prompt_id,' +
  'attempt,call_sid,account_sid,called_number,script_id,script_version,language,voice,statement_sha256,' +
  'transcript_sha256,signature_verified,reason,prev_hash,hash';
const HASH = '23a43e89b7a349a32693151566d3c7936fa26df1e0000c25319997bfb4a7e233';
const line = (phone: string, called: string) =>
  `1,2026-11-25T10:00:00.000Z,7f1c2a9e-3b4d-4e5f-8a6b-0c1d2e3f4a5b,${phone},caller_id,Demo Shop,whatsapp,utility,` +
  `opt_in,ivr,1,statement,1,CA0123456789abcdef0123456789abcdef,AC0123456789abcdef0123456789abcdef,${called},demo,1,` +
  // An event written without a transcript digest (an empty cell, and outside the hash: docs/ledger.md).
  `en-US,Polly.Joanna-Neural,${'a'.repeat(64)},,1,,${'0'.repeat(64)},${HASH}`;

let ledger: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  ledger = await tempStore();
});
afterEach(() => ledger.remove());

async function exportCsv(raw: boolean): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportEvents(ledger.store.db, {}, out, { format: 'csv', columns: 'all', raw, bom: false });
  return Buffer.concat(chunks).toString('utf8');
}

describe('the documented example event, written and exported (known answer)', () => {
  beforeEach(async () => {
    const [event] = await writeTransaction(ledger.store.db, (trx) =>
      appendEvents(
        trx,
        [
          ivrEvent({
            call_sid: 'CA0123456789abcdef0123456789abcdef',
            account_sid: 'AC0123456789abcdef0123456789abcdef',
            statement_sha256: 'a'.repeat(64),
          }),
        ],
        { recordedAt: '2026-11-25T10:00:00.000Z', newId: () => '7f1c2a9e-3b4d-4e5f-8a6b-0c1d2e3f4a5b' },
      ),
    );
    expect(event?.hash).toBe(HASH);
  });

  it('is this line in the spreadsheet-safe CSV: numbers behind an apostrophe, so no spreadsheet runs them', async () => {
    expect(await exportCsv(false)).toBe(`${HEADER}\r\n${line("'+14155550123", "'+15005550006")}\r\n`);
  });

  it('is this line in the raw CSV: every value exact, so the hash can be recomputed from it', async () => {
    expect(await exportCsv(true)).toBe(`${HEADER}\r\n${line('+14155550123', '+15005550006')}\r\n`);
  });
});
