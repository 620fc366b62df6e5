import { existsSync } from 'node:fs';
import { eventsForCall } from '../db/ledger.js';
import { engineOfUrl, openStore } from '../db/store.js';
import type { CallTarget } from './call-target.js';

export class TargetError extends Error {
  override name = 'TargetError';
}

/**
 * A server that is already running at `url`. It owns its database; the simulator reads events only when told
 * which database that server writes (`dbFile`: its SQLite file or PostgreSQL URL), since over HTTP there is no way to ask for them. When that
 * server checks signatures against its `PUBLIC_BASE_URL`, requests are signed for `publicUrl` and still sent
 * to `url`, as they reach it through a proxy or tunnel.
 */
export function remoteServer(url: string, dbFile: string | undefined, publicUrl?: string): CallTarget {
  checkBaseUrl('--url', url, 'http://127.0.0.1:3000');
  if (publicUrl !== undefined) checkBaseUrl('public URL', publicUrl, 'https://ivr.example.com');
  const onFile = dbFile !== undefined && engineOfUrl(dbFile) === 'sqlite';
  if (onFile && (dbFile === ':memory:' || !existsSync(dbFile))) {
    throw new TargetError(
      `--db "${dbFile}" is not an existing database file: with --url it must be the file the server at ${url} writes`,
    );
  }
  const base = url.replace(/\/+$/, '');
  // A server's PostgreSQL ledger is read through a small pool of its own, read-only.
  const store = dbFile === undefined ? undefined : openStore(dbFile, { readonly: !onFile, postgres: { poolSize: 1 } });
  return {
    publicUrl: publicUrl?.replace(/\/+$/, '') ?? base,
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

/** Refuses what is not an http(s) URL, naming the option. */
export function checkBaseUrl(option: string, url: string, example: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetError(`${option} "${url}" is not a URL: give the server's base, such as ${example}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TargetError(`${option} "${url}" must be an http or https URL`);
  }
}
