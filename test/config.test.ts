import { describe, expect, it } from 'vitest';
import { ConfigError, LOCAL_DEV_AUTH_TOKEN, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has defaults that run a local development server', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'data/optin.db',
      twilioAuthToken: LOCAL_DEV_AUTH_TOKEN,
      usingDevAuthToken: true,
      publicBaseUrl: undefined,
      trustProxy: false,
      voiceScriptsDir: 'voice-scripts',
      voicePromptMaxSeconds: 30,
      logLevel: 'info',
      adminToken: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('requires the Twilio auth token in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TWILIO_AUTH_TOKEN is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', TWILIO_AUTH_TOKEN: LOCAL_DEV_AUTH_TOKEN })).toThrow(
      /TWILIO_AUTH_TOKEN/,
    );
    expect(loadConfig({ NODE_ENV: 'production', TWILIO_AUTH_TOKEN: 'abc' }).usingDevAuthToken).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ PUBLIC_BASE_URL: 'ivr.example.com' }, /PUBLIC_BASE_URL must be an http\(s\) URL/],
    [{ TRUST_PROXY: 'maybe' }, /TRUST_PROXY/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN must be at least 16 characters/],
    [{ VOICE_PROMPT_MAX_SECONDS: '5' }, /VOICE_PROMPT_MAX_SECONDS/],
  ])('stops on a bad value and names it: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('strips a trailing slash from PUBLIC_BASE_URL so paths join cleanly', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://ivr.example.com/' }).publicBaseUrl).toBe('https://ivr.example.com');
  });
});
