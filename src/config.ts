import { z } from 'zod';

/** The token used when none is configured, so a developer can start the server without a Twilio account. */
export const LOCAL_DEV_AUTH_TOKEN = 'optin-ivr-local-development-token';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z
  .object({
    NODE_ENV: z.string().default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.string().min(1).default('data/optin.db'),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://ivr.example.com' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    TRUST_PROXY: bool.default(false),
    VOICE_SCRIPTS_DIR: z.string().min(1).default('voice-scripts'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    VERIFY_EVERY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    CHECKPOINT_KEY_FILE: z.string().min(1).optional(),
    CHECKPOINT_EVERY_SECONDS: z.coerce.number().int().min(1).max(604_800).optional(),
    CHECKPOINT_DIR: z.string().min(1).optional(),
    CHECKPOINT_POST_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
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

export interface Config {
  readonly env: string;
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly twilioAuthToken: string;
  /** True when the token is the built-in development one: start-up warns about it. */
  readonly usingDevAuthToken: boolean;
  readonly publicBaseUrl: string | undefined;
  readonly trustProxy: boolean;
  readonly voiceScriptsDir: string;
  readonly logLevel: string;
  readonly adminToken: string | undefined;
  /** How often the server verifies the events added since its last check. */
  readonly verifyEverySeconds: number;
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
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    twilioAuthToken: e.TWILIO_AUTH_TOKEN ?? LOCAL_DEV_AUTH_TOKEN,
    usingDevAuthToken: !e.TWILIO_AUTH_TOKEN,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    trustProxy: e.TRUST_PROXY,
    voiceScriptsDir: e.VOICE_SCRIPTS_DIR,
    logLevel: e.LOG_LEVEL,
    adminToken: e.ADMIN_TOKEN,
    verifyEverySeconds: e.VERIFY_EVERY_SECONDS,
    checkpointKeyFile: e.CHECKPOINT_KEY_FILE,
    checkpointEverySeconds: e.CHECKPOINT_EVERY_SECONDS,
    checkpointDir: e.CHECKPOINT_DIR,
    checkpointPostUrl: e.CHECKPOINT_POST_URL,
  });
}
