import { z } from 'zod';
import { POSTGRES_DEFAULTS, type PostgresOptions, redactUrl } from './db/database-url.js';

/** The token used when none is configured, so a developer can start the server without a Twilio account. */
export const LOCAL_DEV_AUTH_TOKEN = 'optin-ivr-local-development-token';

const TRUE = ['true', '1', 'yes'];
const FALSE = ['false', '0', 'no'];
/** `true`, `TRUE` and `True` alike: a value that differs only in case is not a different answer. */
const bool = z
  .string()
  .refine((v) => [...TRUE, ...FALSE].includes(v.trim().toLowerCase()), 'must be true or false (or 1/0, yes/no)')
  .transform((v) => TRUE.includes(v.trim().toLowerCase()));

const port = z
  .string()
  .regex(/^\s*\d{1,5}\s*$/, 'must be a whole number from 0 to 65535')
  .transform(Number)
  .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535');

/** A whole number within bounds, read from its decimal text. */
function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\s*\d{1,9}\s*$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

/** Values that must never be repeated in an error message or a log. */
const SECRETS = new Set(['TWILIO_AUTH_TOKEN', 'ADMIN_TOKEN', 'METRICS_TOKEN']);

/** Every variable the service reads; each description is what `optin-ivr serve --help` prints for it. */
const schema = z
  .object({
    NODE_ENV: z
      .enum(NODE_ENVS, { error: `must be ${spoken(NODE_ENVS)}` })
      .default('development')
      .describe('development (default), production (TWILIO_AUTH_TOKEN then required) or test'),
    PORT: port.default(3000).describe('port to listen on (default 3000; 0 picks a free one)'),
    HOST: z.string().min(1).default('127.0.0.1').describe('address to listen on (default 127.0.0.1)'),
    DATABASE_URL: z
      .string()
      .min(1)
      .default('data/optin.db')
      .describe(
        'SQLite file, created with its directory, or :memory:, or a postgres:// URL to share one PostgreSQL ledger among servers (default data/optin.db)',
      ),
    DATABASE_POOL_SIZE: wholeNumber(1, 1000)
      .default(POSTGRES_DEFAULTS.poolSize)
      .describe(`PostgreSQL only: connections per server process (default ${POSTGRES_DEFAULTS.poolSize})`),
    DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(100, 600_000)
      .default(POSTGRES_DEFAULTS.statementTimeoutMs)
      .describe(
        `PostgreSQL only: a statement running longer is cancelled and its write fails, in ms (default ${POSTGRES_DEFAULTS.statementTimeoutMs})`,
      ),
    DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(100, 600_000)
      .default(POSTGRES_DEFAULTS.connectTimeoutMs)
      .describe(
        `PostgreSQL only: how long to wait for a new connection, in ms (default ${POSTGRES_DEFAULTS.connectTimeoutMs})`,
      ),
    TWILIO_AUTH_TOKEN: z
      .string()
      .min(1)
      .optional()
      .describe("the Twilio account's auth token (default: a local development token, with a warning)"),
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://ivr.example.com' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional()
      .describe('the base URL Twilio uses to reach this server, e.g. https://ivr.example.com'),
    TRUST_PROXY: bool
      .default(false)
      .describe('true to trust X-Forwarded-* headers when PUBLIC_BASE_URL is not set (default false)'),
    CALL_THREAD: bool
      .default(true)
      .describe(
        "true (default) to answer calls on a thread of their own with their own SQLite connection, beside the HTTP work; false to answer them on the server's thread",
      ),
    VOICE_SCRIPTS_DIR: z
      .string()
      .min(1)
      .default('voice-scripts')
      .describe('where the voice scripts are (default voice-scripts)'),
    // The longest a prompt may last by the script checker's estimate; over 20 s is already a warning.
    VOICE_PROMPT_MAX_SECONDS: wholeNumber(20, 600)
      .default(30)
      .describe("the longest a voice prompt may last by the script checker's estimate, in seconds (default 30)"),
    LOG_LEVEL: z
      .enum(LOG_LEVELS, { error: `must be ${spoken(LOG_LEVELS)}` })
      .default('info')
      .describe(`${LOG_LEVELS.join(', ')} (default info)`),
    ADMIN_TOKEN: z
      .string()
      .min(16, 'must be at least 16 characters')
      .optional()
      .describe('bearer token of the admin API, at least 16 characters; without it the API is closed'),
    METRICS_TOKEN: z
      .string()
      .min(16, 'must be at least 16 characters')
      .optional()
      .describe('bearer token for GET /metrics, at least 16 characters; without it /metrics answers 404'),
    DESK_IDLE_MINUTES: wholeNumber(1, 1440)
      .default(30)
      .describe('minutes without a request after which a desk session ends (default 30)'),
    VERIFY_EVERY_SECONDS: wholeNumber(1, 86_400)
      .default(60)
      .describe('how often the server verifies the events added since its last check, in seconds (default 60)'),
    EXPORT_TIME_ZONE: z
      .string()
      .default('UTC')
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC')
      .describe('the zone of the local time in csv and xlsx exports, e.g. Europe/Berlin (default UTC)'),
    CHECKPOINT_KEY_FILE: z
      .string()
      .min(1)
      .optional()
      .describe('the private key that signs checkpoints and proofs (optin-ivr keys generate)'),
    CHECKPOINT_EVERY_SECONDS: wholeNumber(1, 604_800)
      .optional()
      .describe('sign and publish a checkpoint this often, in seconds (needs CHECKPOINT_KEY_FILE)'),
    CHECKPOINT_DIR: z.string().min(1).optional().describe('where scheduled checkpoints are written'),
    CHECKPOINT_POST_URL: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .optional()
      .describe('where scheduled checkpoints are posted'),
  })
  .superRefine((env, issue) => {
    if (env.NODE_ENV !== 'production') return;
    if (!env.TWILIO_AUTH_TOKEN || env.TWILIO_AUTH_TOKEN === LOCAL_DEV_AUTH_TOKEN) {
      issue.addIssue({
        code: 'custom',
        path: ['TWILIO_AUTH_TOKEN'],
        message: 'is required when NODE_ENV=production (the auth token of the Twilio account)',
      });
    }
  })
  .superRefine((env, issue) => {
    if (env.CHECKPOINT_EVERY_SECONDS === undefined) return;
    if (!env.CHECKPOINT_KEY_FILE) {
      issue.addIssue({
        code: 'custom',
        path: ['CHECKPOINT_KEY_FILE'],
        message: 'is required with CHECKPOINT_EVERY_SECONDS',
      });
    }
    if (!env.CHECKPOINT_DIR && !env.CHECKPOINT_POST_URL) {
      issue.addIssue({
        code: 'custom',
        path: ['CHECKPOINT_DIR'],
        message: 'or CHECKPOINT_POST_URL is required with CHECKPOINT_EVERY_SECONDS (where the checkpoints go)',
      });
    }
  });

/** The variables `loadConfig` reads, with what each means, in the order of the schema. */
export const CONFIG_VARIABLES: ReadonlyArray<{ name: string; description: string }> = Object.entries(schema.shape).map(
  ([name, s]) => ({ name, description: s.description ?? '' }),
);

function spoken(items: readonly string[]): string {
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

export interface Config {
  readonly env: string;
  readonly port: number;
  readonly host: string;
  /** A SQLite file path (or `:memory:`), or a `postgres://` URL; never logged whole (it may hold a password). */
  readonly databaseUrl: string;
  /** The PostgreSQL pool and its time limits (unused with SQLite). */
  readonly postgres: PostgresOptions;
  readonly twilioAuthToken: string;
  /** True when the token is the built-in development one: start-up warns about it. */
  readonly usingDevAuthToken: boolean;
  readonly publicBaseUrl: string | undefined;
  readonly trustProxy: boolean;
  /** Answer calls on a thread of their own (SQLite files only; `CALL_THREAD`). */
  readonly callThread: boolean;
  readonly voiceScriptsDir: string;
  /** Seconds a prompt may last by the checker's estimate before a script is refused. */
  readonly voicePromptMaxSeconds: number;
  readonly logLevel: string;
  readonly adminToken: string | undefined;
  /** Bearer token for `GET /metrics`; without it the route does not exist (404). */
  readonly metricsToken: string | undefined;
  /** A desk session ends after this many minutes without a request. */
  readonly deskIdleMinutes: number;
  /** How often the server verifies the events added since its last check. */
  readonly verifyEverySeconds: number;
  /** The zone of the local time in csv and xlsx exports (IANA name). */
  readonly exportTimeZone: string;
  /** The private key that signs checkpoints and proofs (`optin-ivr keys generate`); never logged. */
  readonly checkpointKeyFile: string | undefined;
  /** When set, the server signs and publishes a checkpoint this often (to the dir and/or the URL). */
  readonly checkpointEverySeconds: number | undefined;
  readonly checkpointDir: string | undefined;
  readonly checkpointPostUrl: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment once; the entry point passes the environment in, nothing else reads it. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    // One sentence per variable, naming it and, unless it is a secret, the value given.
    const sentences = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      const given = present[name];
      const shown =
        given === undefined || SECRETS.has(name)
          ? ''
          : `, not ${JSON.stringify(name === 'DATABASE_URL' ? redactUrl(given) : given)}`;
      return `${name} ${i.message}${shown}.`;
    });
    throw new ConfigError(`invalid configuration: ${sentences.join(' ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    postgres: Object.freeze({
      poolSize: e.DATABASE_POOL_SIZE,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    }),
    twilioAuthToken: e.TWILIO_AUTH_TOKEN ?? LOCAL_DEV_AUTH_TOKEN,
    usingDevAuthToken: !e.TWILIO_AUTH_TOKEN,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    trustProxy: e.TRUST_PROXY,
    callThread: e.CALL_THREAD,
    voiceScriptsDir: e.VOICE_SCRIPTS_DIR,
    voicePromptMaxSeconds: e.VOICE_PROMPT_MAX_SECONDS,
    logLevel: e.LOG_LEVEL,
    adminToken: e.ADMIN_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    deskIdleMinutes: e.DESK_IDLE_MINUTES,
    verifyEverySeconds: e.VERIFY_EVERY_SECONDS,
    exportTimeZone: new Intl.DateTimeFormat('en-US', { timeZone: e.EXPORT_TIME_ZONE }).resolvedOptions().timeZone,
    checkpointKeyFile: e.CHECKPOINT_KEY_FILE,
    checkpointEverySeconds: e.CHECKPOINT_EVERY_SECONDS,
    checkpointDir: e.CHECKPOINT_DIR,
    checkpointPostUrl: e.CHECKPOINT_POST_URL,
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
