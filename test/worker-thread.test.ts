import { describe, expect, it } from 'vitest';
import { workerAnswer, workerBuilt } from '../src/worker-thread.js';

/** A worker module given as its text. */
const module = (code: string) =>
  new URL(
    `data:text/javascript,${encodeURIComponent(`import { parentPort, workerData } from 'node:worker_threads';\n${code}`)}`,
  );

describe('a worker thread that answers once', () => {
  it('resolves with its answer', async () => {
    await expect(workerAnswer(module('parentPort.postMessage(workerData * 2);'), 21, 'doubling')).resolves.toBe(42);
  });

  it("rejects with the thread's own error", async () => {
    await expect(workerAnswer(module("throw new Error('no ledger here');"), null, 'the check')).rejects.toThrow(
      'no ledger here',
    );
  });

  it('rejects naming the work when the thread ends without answering', async () => {
    await expect(workerAnswer(module('process.exit(3);'), null, 'the check of the second half')).rejects.toThrow(
      'the check of the second half stopped without answering (exit code 3)',
    );
    await expect(workerAnswer(module(''), null, 'the integrity check')).rejects.toThrow(
      'the integrity check stopped without answering (exit code 0)',
    );
  });

  it('is started only when its compiled module is there', () => {
    expect(workerBuilt(new URL(import.meta.url))).toBe(true);
    expect(workerBuilt(new URL('./no-such-worker.js', import.meta.url))).toBe(false);
  });
});
