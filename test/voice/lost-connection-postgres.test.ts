import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_CHAIN } from '../../src/db/chain-id.js';
import { CHAIN_LOCK_KEY } from '../../src/db/dialect.js';
import { verifyLedger } from '../../src/db/ledger.js';
import { POSTGRES_ADMIN_URL } from '../helpers/engines.js';
import { Caller, followRedirect, postSigned, startServer, type TestServer } from '../helpers/server.js';

// The webhook's write waits for the chain's lock (held here, as another server's batch would hold it) when its
// connection is ended under it, as a PostgreSQL restart or failover ends every connection.
let server: TestServer | undefined;
let other: pg.Client | undefined;
afterEach(async () => {
  await other?.end();
  await server?.close();
  other = server = undefined;
});

/** Ends every connection of the server's pool once one of them waits for the chain's lock. */
async function endPoolConnectionsOnceWaiting(client: pg.Client): Promise<number> {
  for (;;) {
    const waiting = await client.query(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and application_name = 'optin-ivr' and wait_event_type = 'Lock'`,
    );
    if (waiting.rows[0].n > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ended = await client.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
     where datname = current_database() and application_name = 'optin-ivr'`,
  );
  return ended.rowCount ?? 0;
}

describe('a lost PostgreSQL connection', () => {
  it('fails the webhook cleanly: the caller hears the apology, nothing is confirmed; the pool recovers', async () => {
    const started = await startServer({}, { engine: 'postgres' });
    server = started;
    const client = new pg.Client({ connectionString: started.dbFile, application_name: 'optin-ivr-test' });
    other = client;
    await client.connect();
    const caller = new Caller(started, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    const events = async () =>
      (await started.context.store.db.selectFrom('consent_events').select('decision').execute()).map((e) => e.decision);

    await client.query('select pg_advisory_lock($1, $2)', [CHAIN_LOCK_KEY, LEDGER_CHAIN]);
    const turn2 = `${started.url}/voice/turn?n=2`;
    const first = postSigned(turn2, { ...caller.base(), Digits: '1' });
    expect(await endPoolConnectionsOnceWaiting(client)).toBeGreaterThan(0);
    const firstBody = await (await first).text();
    // Tried once more by <Redirect> (docs/call-flow.md); that attempt loses its connection too.
    expect(firstBody).toContain('<Redirect method="POST">');
    const second = followRedirect(caller, firstBody, turn2);
    expect(await endPoolConnectionsOnceWaiting(client)).toBeGreaterThan(0);
    const apology = await second;
    expect(apology).toMatch(/has not been saved/);
    expect(apology).toMatch(/<Hangup\/>/);
    expect(apology).not.toMatch(/Thank you|Would you also like/);
    await client.query('select pg_advisory_unlock($1, $2)', [CHAIN_LOCK_KEY, LEDGER_CHAIN]);
    expect(await events()).toEqual([]);

    // No restart: the next webhook gets a fresh connection; Twilio's retry of the turn records it once.
    const retry = await postSigned(turn2, { ...caller.base(), Digits: '1' });
    expect(await retry.text()).toMatch(/Would you also like offers/);
    expect(await events()).toEqual(['opt_in']);
    expect(await verifyLedger(started.context.store.db)).toMatchObject({ ok: true, count: 1 });
    const health = await fetch(`${started.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { kind: 'postgres', answers: true } });
  });

  it('answers /healthz with 503 while the database does not answer, and 200 again when it does', async () => {
    const started = await startServer(
      { DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '1000' },
      { engine: 'postgres' },
    );
    server = started;
    const client = new pg.Client({ connectionString: started.dbFile, application_name: 'optin-ivr-test' });
    other = client;
    await client.connect();
    // Nothing may connect to the database for a moment: every new connection of the pool is refused.
    const database = (await client.query('select current_database() as d')).rows[0].d as string;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`alter database ${database} allow_connections false`);
    try {
      await client.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and application_name = 'optin-ivr'`,
      );
      const down = await fetch(`${started.url}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ database: { kind: 'postgres', answers: false } });
    } finally {
      await admin.query(`alter database ${database} allow_connections true`);
      await admin.end();
    }
    const up = await fetch(`${started.url}/healthz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ database: { kind: 'postgres', answers: true } });
  });
});
