import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('evidence settings', () => {
  it('verifies every 60 seconds by default and signs no checkpoints unless asked', () => {
    expect(loadConfig({})).toMatchObject({
      verifyEverySeconds: 60,
      checkpointKeyFile: undefined,
      checkpointEverySeconds: undefined,
    });
  });

  it('refuses a checkpoint schedule without a key or without a place to publish', () => {
    expect(() => loadConfig({ CHECKPOINT_EVERY_SECONDS: '3600' })).toThrow(
      'invalid configuration: CHECKPOINT_KEY_FILE is required with CHECKPOINT_EVERY_SECONDS. CHECKPOINT_DIR or CHECKPOINT_POST_URL is required with CHECKPOINT_EVERY_SECONDS (where the checkpoints go).',
    );
    expect(() => loadConfig({ VERIFY_EVERY_SECONDS: '0' })).toThrow(/VERIFY_EVERY_SECONDS/);
    expect(
      loadConfig({ CHECKPOINT_EVERY_SECONDS: '3600', CHECKPOINT_KEY_FILE: 'line.key', CHECKPOINT_DIR: 'cp' }),
    ).toMatchObject({ checkpointEverySeconds: 3600, checkpointDir: 'cp' });
  });
});
