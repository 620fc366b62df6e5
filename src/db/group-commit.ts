/** What one shared transaction cost: for metrics (`onCommit`). */
export interface CommitInfo {
  /** The writes that committed together (a write that failed on its own is not counted). */
  batchSize: number;
  /** From BEGIN to the end of COMMIT. */
  seconds: number;
}

/**
 * The few transaction commands group commit needs, on one connection `C` held for the whole batch. SQLite gives
 * them as BEGIN IMMEDIATE / SAVEPOINT / COMMIT; any database with savepoints can (PostgreSQL: BEGIN, an advisory
 * lock per chain, SAVEPOINT).
 */
export interface TransactionOps<C> {
  withConnection<T>(work: (conn: C) => Promise<T>): Promise<T>;
  begin(conn: C): Promise<void>;
  savepoint(conn: C): Promise<void>;
  release(conn: C): Promise<void>;
  rollbackToSavepoint(conn: C): Promise<void>;
  commit(conn: C): Promise<void>;
  rollback(conn: C): Promise<void>;
  /** False once the database has given up the transaction on its own (SQLite does on a full disk, say). */
  inTransaction(conn: C): boolean;
}

export interface GroupCommitOptions {
  /** At most this many writes share one transaction. */
  maxBatch: number;
  /**
   * How long a write waits for others to join before its transaction begins, when nothing is running. 0 waits
   * only for the requests already read in this turn of the event loop; while a batch commits, the next one fills.
   */
  maxWaitMs: number;
  onCommit?: ((info: CommitInfo) => void) | undefined;
  /** Runs between two transactions; the next waits for what it returns (a WAL checkpoint catching up). */
  betweenBatches?: (() => Promise<void> | undefined) | undefined;
}

interface Job<C> {
  fn: (conn: C) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; err: unknown };

/** A transaction that did not commit: why, and how each write in it had fared up to then. */
class BatchFailed extends Error {
  override name = 'BatchFailed';
  constructor(
    readonly reason: unknown,
    readonly outcomes: Settled[],
  ) {
    super((reason as Error)?.message ?? String(reason));
  }
}

/**
 * Durable writes that share transactions: writes queued while one transaction runs go together into the next
 * (one BEGIN, a savepoint each, one COMMIT), in the order they arrived. A write that throws rolls back to its own
 * savepoint and fails alone; if the transaction itself fails, nothing of it was committed and every write that had
 * succeeded in it runs again in a transaction of its own. A write's promise settles only after its COMMIT.
 */
export class GroupCommitter<C> {
  private readonly queue: Job<C>[] = [];
  private scheduled = false;
  private running = false;
  private writes = 0;
  private commits = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly ops: TransactionOps<C>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Runs `fn` in a write transaction it may share with others; resolves once that transaction is committed. */
  write<T>(fn: (conn: C) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Writes committed and the transactions they took, since the start. */
  stats(): { writes: number; commits: number } {
    return { writes: this.writes, commits: this.commits };
  }

  /** Resolves when every queued write has settled. */
  drained(): Promise<void> {
    if (!this.running && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      void this.runNext();
    };
    // setImmediate runs after the poll phase: every request read in this turn has queued its write by then.
    if (this.options.maxWaitMs > 0 && this.queue.length < this.options.maxBatch)
      setTimeout(start, this.options.maxWaitMs);
    else setImmediate(start);
  }

  private async runNext(): Promise<void> {
    this.running = true;
    try {
      const pause = this.options.betweenBatches?.();
      // Writes keep queueing meanwhile; the batch is taken after it.
      if (pause) await pause.catch(() => undefined);
      await this.runBatch(this.queue.splice(0, this.options.maxBatch));
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
      else for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private async runBatch(batch: Job<C>[]): Promise<void> {
    const started = performance.now();
    let outcomes: Settled[];
    try {
      outcomes = await this.ops.withConnection((conn) => this.transaction(conn, batch));
    } catch (err) {
      const done = err instanceof BatchFailed ? err.outcomes : [];
      // Nothing of this batch is committed. Writes that failed on their own stay failed; the rest, and those not
      // reached, run again one by one, so one bad write (or a full disk for a moment) cannot sink the others.
      if (batch.length === 1) {
        (batch[0] as Job<C>).reject(failure(err));
        return;
      }
      for (const [i, job] of batch.entries()) {
        const outcome = done[i];
        if (outcome && !outcome.ok) job.reject(outcome.err);
        else await this.runBatch([job]);
      }
      return;
    }
    const committed = outcomes.filter((o) => o.ok).length;
    this.writes += committed;
    this.commits += 1;
    try {
      this.options.onCommit?.({ batchSize: committed, seconds: (performance.now() - started) / 1000 });
    } catch {
      // An observer's bug must not turn committed writes into failures.
    }
    for (const [i, job] of batch.entries()) {
      const outcome = outcomes[i] as Settled;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.err);
    }
  }

  private async transaction(conn: C, batch: Job<C>[]): Promise<Settled[]> {
    const outcomes: Settled[] = [];
    await this.ops.begin(conn);
    try {
      for (const job of batch) {
        await this.ops.savepoint(conn);
        let outcome: Settled;
        try {
          outcome = { ok: true, value: await job.fn(conn) };
        } catch (err) {
          outcome = { ok: false, err };
        }
        outcomes.push(outcome);
        // Either fails when the database has already rolled the whole transaction back: then the batch fails.
        if (!outcome.ok) await this.ops.rollbackToSavepoint(conn);
        await this.ops.release(conn);
        if (!this.ops.inTransaction(conn)) throw new Error('the database ended the transaction');
      }
      await this.ops.commit(conn);
      return outcomes;
    } catch (err) {
      if (this.ops.inTransaction(conn)) await this.ops.rollback(conn).catch(() => undefined);
      throw new BatchFailed(err, outcomes);
    }
  }
}

/** The error a lone write failed with: its own, not the wrapper that carries the batch's outcomes. */
function failure(err: unknown): unknown {
  if (!(err instanceof BatchFailed)) return err;
  const outcome = err.outcomes[0];
  return outcome && !outcome.ok ? outcome.err : err.reason;
}
