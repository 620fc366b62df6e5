import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app.js';
import { buildContext } from '../bootstrap.js';
import type { Config } from '../config.js';
import { eventsForCall } from '../db/ledger.js';
import type { ConsentEvent } from '../db/schema.js';
import { openStore } from '../db/store.js';
import type { Logger } from '../logger.js';

/** A server the simulator can call, and a way to read what a call wrote to its ledger. */
export interface CallTarget {
  /** The base URL Twilio would use (what requests are signed for). */
  publicUrl: string;
  /** Where requests are delivered, when that differs from `publicUrl` (a tunnel's far end). */
  localUrl: string;
  events(callSid: string): Promise<{ rows: ConsentEvent[] } | { note: string }>;
  close(): Promise<void>;
}

/**
 * The real app, started in this process on an ephemeral loopback port against the configured database. With
 * PUBLIC_BASE_URL set the server checks signatures against that URL, so requests are signed for it and delivered
 * to the local port, as through the operator's proxy.
 */
export async function startInProcess(config: Config, logger: Logger): Promise<CallTarget> {
  const context = await buildContext(config, logger);
  const server = createApp(context).listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  } catch (err) {
    await context.store.close();
    throw err;
  }
  const localUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    publicUrl: config.publicBaseUrl ?? localUrl,
    localUrl,
    events: async (callSid) => ({ rows: await eventsForCall(context.store.db, callSid) }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await context.store.close();
    },
  };
}

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
