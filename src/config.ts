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
    // The longest a prompt may last by the script checker's estimate; over 20 s is already a warning.
    VOICE_PROMPT_MAX_SECONDS: z.coerce.number().int().min(20).max(600).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
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
  /** Seconds a prompt may last by the checker's estimate before a script is refused. */
  readonly voicePromptMaxSeconds: number;
  readonly logLevel: string;
  readonly adminToken: string | undefined;
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
    voicePromptMaxSeconds: e.VOICE_PROMPT_MAX_SECONDS,
    logLevel: e.LOG_LEVEL,
    adminToken: e.ADMIN_TOKEN,
  });
}
