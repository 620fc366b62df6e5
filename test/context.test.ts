import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createAppContext } from '../src/context.js';
import { silentLogger } from '../src/logger.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-context-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createAppContext', () => {
  it('closes itself: stops the work registered with onClose and closes the database, once', async () => {
    const context = await createAppContext(loadConfig({ DATABASE_URL: join(dir, 'optin.db') }), silentLogger);
    let stopped = 0;
    context.onClose(() => stopped++);
    await Promise.all([context.close(), context.close()]);
    await context.close();
    expect(stopped).toBe(1);
    await expect(context.store.db.selectFrom('calls').selectAll().execute()).rejects.toThrow();
  });
});
