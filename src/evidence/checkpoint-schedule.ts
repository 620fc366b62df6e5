import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { publishCheckpoint, signCheckpoint } from './checkpoint.js';
import type { LedgerMonitor } from './ledger-monitor.js';
import type { NoteSigner } from './signed-note.js';

/**
 * Signs and publishes a checkpoint every `everySeconds` while the ledger verifies, and only when it has grown:
 * `<dir>/checkpoint-<size>.txt` (one file per size, so older ones stay published) and/or a POST to `postUrl`.
 */
export function scheduleCheckpoints(deps: {
  db: Kysely<Database>;
  logger: Logger;
  ledger: LedgerMonitor;
  signer: NoteSigner;
  everySeconds: number;
  dir: string | undefined;
  postUrl: string | undefined;
}): { stop(): void; publishNow(): Promise<void> } {
  let published = -1;
  const publishNow = async () => {
    const verification = await deps.ledger.checkNew();
    if (!verification.verified) {
      deps.logger.error({ problem: verification.problem }, 'not signing a checkpoint: the ledger does not verify');
      return;
    }
    const { checkpoint, note } = await signCheckpoint(deps.db, deps.signer);
    if (checkpoint.size === published) return;
    await publishCheckpoint(note, {
      ...(deps.dir === undefined ? {} : { out: join(deps.dir, `checkpoint-${checkpoint.size}.txt`) }),
      ...(deps.postUrl === undefined ? {} : { post: deps.postUrl }),
    });
    published = checkpoint.size;
    deps.logger.info({ size: checkpoint.size, root: checkpoint.root.toString('base64') }, 'checkpoint published');
  };
  const timer = setInterval(() => {
    publishNow().catch((err: unknown) => deps.logger.error({ err }, 'checkpoint could not be published'));
  }, deps.everySeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), publishNow };
}
