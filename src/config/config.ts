import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOCAL_DB_PREFERENCES } from '../db/localServer';

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = z.url().optional();

/** Every environment variable the service reads. `.env.example` documents each one with its default. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: z.string().default('loopback'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  LOCAL_DB: z.enum(LOCAL_DB_PREFERENCES).default('auto'),
  DB_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(3000),
  /** Bound of the in-process thread page cache, in megabytes (bodies and the records they were built from). */
  PAGE_CACHE_MB: z.coerce.number().min(1).max(65536).default(64),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),

  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).default('Threadline <no-reply@localhost>'),

  FACEBOOK_APP_ID: z.string().min(1).optional(),
  FACEBOOK_APP_SECRET: z.string().min(1).optional(),
  FACEBOOK_AUTHORIZATION_URL: optionalUrl,
  FACEBOOK_TOKEN_URL: optionalUrl,
  FACEBOOK_PROFILE_URL: optionalUrl,

  BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),

  RATE_LIMITS_ENABLED: boolean.default(true),
  /** Request limits per fixed window, counted per signed-in user and per client IP, shared by every instance. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86400).default(60),
  RATE_LIMIT_COMMENTS_PER_USER: z.coerce.number().int().min(1).max(100000).default(10),
  RATE_LIMIT_COMMENTS_PER_IP: z.coerce.number().int().min(1).max(100000).default(60),
  RATE_LIMIT_VOTES_PER_USER: z.coerce.number().int().min(1).max(100000).default(60),
  RATE_LIMIT_VOTES_PER_IP: z.coerce.number().int().min(1).max(100000).default(300),
  RATE_LIMIT_FLAGS_PER_USER: z.coerce.number().int().min(1).max(100000).default(20),
  RATE_LIMIT_FLAGS_PER_IP: z.coerce.number().int().min(1).max(100000).default(100),
  /** Login and register attempts per client IP. */
  RATE_LIMIT_SIGNIN_PER_IP: z.coerce.number().int().min(1).max(100000).default(20),
  /** Email-sending requests (sign-in links, verification) per client IP. */
  RATE_LIMIT_EMAIL_PER_IP: z.coerce.number().int().min(1).max(100000).default(5),
  /** The same text from the same author inside this many seconds is refused as a duplicate. */
  DUPLICATE_POST_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86400).default(60),
  /** Failed sign-ins per account inside the window before that account is braked (429); always on. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(10),
  /** Failed sign-ins per client IP inside the window before that IP is braked; off when RATE_LIMITS_ENABLED=false. */
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100000).default(50),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(10).max(86400).default(900),
  /** Sign-in and verification emails sent to one address inside the window; further requests are dropped silently. */
  EMAIL_LINK_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Live threads (server-sent events): open connections per instance, and per client IP. */
  LIVE_MAX_STREAMS: z.coerce.number().int().min(1).max(1_000_000).default(10000),
  LIVE_MAX_STREAMS_PER_IP: z.coerce.number().int().min(1).max(100000).default(20),
  /** A comment line on every open stream this often, so proxies and browsers keep it open. */
  LIVE_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(20),
  /** How long a `?poll=1` request waits for an event before answering with none. */
  LIVE_POLL_SECONDS: z.coerce.number().int().min(1).max(120).default(25),
  /** Reply and queue mails: at most one mail per reader per this many seconds (a batch). */
  NOTIFY_BATCH_SECONDS: z.coerce.number().int().min(1).max(86400).default(900),
  /** How often each instance looks for queued notification mails to send. */
  NOTIFY_FLUSH_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),

  /** Bearer token for GET /metrics; unset means the endpoint answers 404. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Let webhooks target loopback and private addresses (tests and single-host setups only). */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: boolean.default(false),
  /** Largest import upload accepted, in bytes (default 2 GiB). */
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024 * 1024),
  /** How often each instance removes expired links, sign-in states and old claims (bounded batches, no TTL index). */
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86400).default(300),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Omit<Env, 'JWT_SECRET' | 'PUBLIC_URL'> {
  JWT_SECRET: string;
  PUBLIC_URL: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Outside production a missing JWT_SECRET is generated once and kept in DATA_DIR, so that
 * `npm start` needs no configuration and sessions survive a restart.
 */
function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) problems.push('JWT_SECRET: required in production');
  if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) problems.push('PUBLIC_URL: required in production');
  if (Boolean(env.FACEBOOK_APP_ID) !== Boolean(env.FACEBOOK_APP_SECRET)) {
    problems.push('FACEBOOK_APP_ID and FACEBOOK_APP_SECRET: set both or neither');
  }
  if (Boolean(env.BOOTSTRAP_ADMIN_EMAIL) !== Boolean(env.BOOTSTRAP_ADMIN_PASSWORD)) {
    problems.push('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD: set both or neither');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    ...env,
    JWT_SECRET: env.JWT_SECRET ?? developmentSecret(env.DATA_DIR),
    PUBLIC_URL: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
  };
}
