import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tableNames } from '../../src/db/dialect.js';
import { verifyLedger } from '../../src/db/ledger.js';
import { openStore, type Store } from '../../src/db/store.js';
import { runCli } from '../helpers/cli.js';
import { type TestDatabase, testDatabaseUrl } from '../helpers/engines.js';
import { addEvents, addManyEvents, allEvents, ivrEvent, tempStore } from '../helpers/ledger.js';
import { Caller, startServer } from '../helpers/server.js';
import { dropTrigger, exec } from '../helpers/tamper.js';

let source: Awaited<ReturnType<typeof tempStore>>;
let target: TestDatabase;
let opened: Store[] = [];

beforeEach(async () => {
  source = await tempStore('sqlite');
  target = await testDatabaseUrl('postgres');
});
afterEach(async () => {
  for (const store of opened) await store.close();
  opened = [];
  await source.remove();
  await target.remove();
});

function openTarget(): Store {
  const store = openStore(target.url);
  opened.push(store);
  return store;
}

describe('optin-ivr migrate-data', () => {
  it('copies a ledger into PostgreSQL with the same hashes, and verifies it on both sides', async () => {
    // Calls with their steps and statements, as the phone line writes them, and more events than one page.
    const server = await startServer({}, { dir: source.dir });
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    for (const key of ['1', '1', '1']) await caller.press(key);
    await server.close();
    const file = server.dbFile;
    const store = openStore(file);
    opened.push(store);
    await addManyEvents(store, 1200);
    const before = await allEvents(store);
    const run = await runCli(['migrate-data', '--from', file, '--to', target.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const head = before.at(-1)?.hash;
    expect(run.stdout).toMatch(
      new RegExp(
        `^copied 1202 events and 1 calls from .*; the chain verifies on both sides: 1202 events, head ${head}\\n$`,
      ),
    );
    const copy = openTarget();
    expect(await allEvents(copy)).toEqual(before);
    expect(await verifyLedger(copy.db)).toEqual({ ok: true, count: 1202, head });
    // The call's transcript came along: `show` finds it on PostgreSQL with its events.
    const show = await runCli(['show', caller.sid], { DATABASE_URL: target.url });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(caller.sid);
    // Verified as a whole store too (the schema's triggers included).
    expect(await runCli(['verify'], { DATABASE_URL: target.url })).toMatchObject({
      code: 0,
      stdout: `1202 events verified, head ${head}\n`,
    });
    // New events continue the copied chain, and call steps get new ids after the copied ones.
    await addEvents(copy, [ivrEvent({ phone_number: '+14155558888' })]);
    expect(await verifyLedger(copy.db)).toMatchObject({ ok: true, count: 1203 });
    const copiedSteps = await copy.db.selectFrom('call_steps').select('id').orderBy('id', 'desc').execute();
    const [step] = await copy.db
      .insertInto('call_steps')
      .values({ call_sid: caller.sid, turn: 9, at: '2026-11-29T00:00:00.000Z', kind: 'status' })
      .returning('id')
      .execute();
    expect(step?.id).toBe((copiedSteps[0]?.id ?? 0) + 1);
  });

  it('refuses a target that is not empty, and copies nothing', async () => {
    await addEvents(source.store, [ivrEvent()]);
    expect((await runCli(['migrate-data', '--from', source.file, '--to', target.url])).code).toBe(0);
    await addEvents(source.store, [ivrEvent({ phone_number: '+14155550199' })]);
    const again = await runCli(['migrate-data', '--from', source.file, '--to', target.url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^optin-ivr: postgres:\/\/.* is not empty \(\w+ has rows\): copy into an empty database\n$/,
    );
    expect(await allEvents(openTarget())).toHaveLength(1);
  });

  it('refuses a source whose chain is broken, and copies nothing', async () => {
    await addEvents(source.store, [ivrEvent(), ivrEvent({ category: 'marketing' })]);
    await dropTrigger(source.store, 'consent_events_no_update', 'consent_events');
    await exec(source.store, "UPDATE consent_events SET decision = 'declined' WHERE seq = 2");
    const run = await runCli(['migrate-data', '--from', source.file, '--to', target.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the chain is broken at seq 2: .*nothing was copied\n$/);
    // Refused before the target was touched: not even its schema was made.
    expect(await tableNames(openTarget().db)).toEqual(new Set());
  });

  it('refuses a --from that is not a SQLite file', async () => {
    const run = await runCli(['migrate-data', '--from', target.url, '--to', target.url]);
    expect(run).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--from ".*" is not an existing SQLite ledger file/),
    });
  });
});

describe('optin-ivr backup on PostgreSQL', () => {
  it("refuses, pointing to PostgreSQL's own tools", async () => {
    const store = openTarget();
    const { migrate } = await import('../../src/db/store.js');
    await migrate(store.db);
    const run = await runCli(['backup', `${source.dir}/copy.db`], { DATABASE_URL: target.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is PostgreSQL: back it up with PostgreSQL's own tools, pg_dump .* \(PITR\)/);
  });
});
