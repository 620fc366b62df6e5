// The worker thread of `verifyExportFile`'s second half: the lines from `start` to the end of the file, checked
// as the chain from their first event on, while the first half is checked on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { checkLines, type HalfRequest } from './verify-file.js';

const { file, options, start } = workerData as HalfRequest;
parentPort?.postMessage(await checkLines(file, options, { start }));
