import { existsSync } from 'node:fs';
import { eventsForCall } from '../db/ledger.js';
import { openStore } from '../db/store.js';
import type { CallTarget } from './call-target.js';

export class TargetError extends Error {
  override name = 'TargetError';
}

/**
 * A server that is already running at `url`. It owns its database; the simulator reads events only when told
 * which SQLite file that server writes (`dbFile`), since over HTTP there is no way to ask for them.
 */
export function remoteServer(url: string, dbFile: string | undefined): CallTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetError(`--url "${url}" is not a URL: give the server's base, such as http://127.0.0.1:3000`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TargetError(`--url "${url}" must be an http or https URL`);
  }
  if (dbFile !== undefined && (dbFile === ':memory:' || !existsSync(dbFile))) {
    throw new TargetError(
      `--db "${dbFile}" is not an existing database file: with --url it must be the file the server at ${url} writes`,
    );
  }
  const base = url.replace(/\/+$/, '');
  const store = dbFile === undefined ? undefined : openStore(dbFile);
  return {
    publicUrl: base,
    localUrl: base,
    events: async (callSid) =>
      store
        ? { rows: await eventsForCall(store.db, callSid) }
        : { note: "not available with --url alone; add --db FILE (the server's database file) to list them" },
    close: async () => {
      await store?.close();
    },
  };
}
