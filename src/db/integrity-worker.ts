// The worker thread of `integrityInBackground`: SQLite's integrity check of a ledger file over a connection of
// its own, so it runs on another core while the chain is walked.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const { file, limit } = workerData as { file: string; limit: number };
const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
try {
  const rows = sqlite.pragma(`integrity_check(${Number(limit)})`) as Record<string, unknown>[];
  parentPort?.postMessage(rows.map((r) => String(Object.values(r)[0])));
} finally {
  sqlite.close();
}
