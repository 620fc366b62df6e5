import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isoTimestamp } from '../clock.js';
import type { AppContext } from '../context.js';
import { schemaProblem } from '../db/store.js';
import { probeWrite } from '../db/write-probe.js';

/**
 * Below this much free space where the database lives, a write is about to fail with "database or disk is full"
 * even if the tiny probe write still fits into space the WAL already holds.
 */
const MIN_FREE_BYTES = 1024 * 1024;

export interface Readiness {
  ready: boolean;
  /** Why not, one sentence each; empty when ready. */
  problems: string[];
}

/**
 * Would a write succeed right now? Checks what can be seen without writing (a pending migration, a full disk);
 * when those pass, commits a probe write, which fails on a read-only database or a locked one, and whose success
 * clears an earlier failure.
 */
export async function checkReadiness(app: Pick<AppContext, 'store' | 'writes' | 'clock'>): Promise<Readiness> {
  const { store } = app;
  const problems: string[] = [];
  const schema = await schemaProblem(store.db, store.location);
  if (schema) problems.push(schema);
  if (store.kind === 'sqlite' && store.location !== ':memory:') {
    const dir = dirname(store.location);
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    if (free < MIN_FREE_BYTES) problems.push(`the disk is full: ${free} bytes free in "${dir}"`);
  }
  if (problems.length === 0) {
    try {
      await probeWrite(store.write, isoTimestamp(app.clock.now()));
    } catch (err) {
      problems.push(`a write failed just now: ${(err as Error).message}`);
      return { ready: false, problems };
    }
  }
  const failure = app.writes.lastFailure;
  if (failure) problems.push(`the last write failed (${failure.at}): ${failure.code}: ${failure.message}`);
  return { ready: problems.length === 0, problems };
}
