import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, LOCAL_DEV_AUTH_TOKEN, loadConfig } from '../src/config.js';
import { redactUrl } from '../src/db/database-url.js';

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

  it('reads the export time zone as an IANA name, UTC by default, and refuses one it does not know', () => {
    expect(loadConfig({}).exportTimeZone).toBe('UTC');
    expect(loadConfig({ EXPORT_TIME_ZONE: 'Europe/Berlin' }).exportTimeZone).toBe('Europe/Berlin');
    expect(() => loadConfig({ EXPORT_TIME_ZONE: 'Mars/Olympus' })).toThrow(
      'EXPORT_TIME_ZONE must be an IANA time zone such as Europe/Berlin or UTC, not "Mars/Olympus".',
    );
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
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN must be at least 16 characters/],
    [{ VOICE_PROMPT_MAX_SECONDS: '5' }, /VOICE_PROMPT_MAX_SECONDS/],
  ])('stops on a bad value and names it: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('strips a trailing slash from PUBLIC_BASE_URL so paths join cleanly', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://ivr.example.com/' }).publicBaseUrl).toBe('https://ivr.example.com');
  });

  it('accepts development, production and test as NODE_ENV, and nothing else', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).env).toBe('test');
    for (const value of ['prod', 'Production', 'dev', 'staging']) {
      expect(() => loadConfig({ NODE_ENV: value })).toThrow(
        `invalid configuration: NODE_ENV must be development, production or test, not "${value}".`,
      );
    }
  });

  it('reads booleans in any case', () => {
    for (const value of ['true', 'TRUE', 'True', 'Yes', '1'])
      expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toBe(true);
    for (const value of ['false', 'FALSE', 'No', '0'])
      expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toBe(false);
  });

  it('explains every bad value in a sentence naming the variable and the value, never a secret', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', ADMIN_TOKEN: 'secret-10c' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'invalid configuration: PORT must be a whole number from 0 to 65535, not "eighty". ' +
        'LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent, not "loud". ' +
        'ADMIN_TOKEN must be at least 16 characters.',
    );
    expect(message).not.toMatch(/Invalid input|expected|received|NaN/);
  });

  it('describes every variable it reads, for serve --help', () => {
    expect(CONFIG_VARIABLES.map((v) => v.name)).toEqual(expect.arrayContaining(['PORT', 'NODE_ENV', 'ADMIN_TOKEN']));
    for (const v of CONFIG_VARIABLES) expect(v.description, v.name).not.toBe('');
  });

  it('reads the PostgreSQL pool settings, and never repeats the password of a database URL', () => {
    expect(loadConfig({}).postgres).toEqual({ poolSize: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    const config = loadConfig({
      DATABASE_URL: 'postgres://optin:secret@db.internal/optin',
      DATABASE_POOL_SIZE: '4',
      DATABASE_STATEMENT_TIMEOUT_MS: '2000',
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
    });
    expect(config.postgres).toEqual({ poolSize: 4, statementTimeoutMs: 2000, connectTimeoutMs: 1500 });
    expect(Object.isFrozen(config.postgres)).toBe(true);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(
      'invalid configuration: DATABASE_POOL_SIZE must be a whole number from 1 to 1000, not "0".',
    );
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(redactUrl('postgres://optin:secret@db.internal:5432/optin?sslmode=require')).toBe(
      'postgres://optin:***@db.internal:5432/optin?sslmode=require',
    );
    expect(redactUrl('data/optin.db')).toBe('data/optin.db');
  });
});
