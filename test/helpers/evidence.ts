import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Caller, startServer } from './server.js';

/**
 * A ledger file recorded by real calls through the webhooks: each number in `callers` calls and presses
 * 1, 1, 1 (opting in to both categories). The file is a copy, closed, for the CLI to open.
 */
export async function ledgerFromCalls(
  callers: string[],
): Promise<{ file: string; dir: string; sids: string[]; remove(): void }> {
  const server = await startServer();
  const sids: string[] = [];
  try {
    for (const from of callers) {
      const caller = new Caller(server, { from });
      await caller.dial();
      for (const key of ['1', '1', '1']) await caller.press(key);
      sids.push(caller.sid);
    }
    const dir = mkdtempSync(join(tmpdir(), 'optin-evidence-'));
    const file = join(dir, 'optin.db');
    server.context.store.sqlite.exec(`VACUUM INTO '${file.replaceAll("'", "''")}'`);
    return { file, dir, sids, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    await server.close();
  }
}

/** What someone with the file and the sqlite3 shell could do to it. */
export function tamper(file: string, statements: string): void {
  const raw = new SQLite(file);
  try {
    raw.exec(statements);
  } finally {
    raw.close();
  }
}
