/** Settings from the environment (README, "Configuration"). */
export interface Settings {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Named prepared statements on PostgreSQL (decision 64); false behind a transaction-mode pooler. */
  preparedStatements: boolean;
  logLevel: string;
  secureCookies: boolean;
  seedDemo: boolean;
  /** SMTP server for letters (CIRC-12), e.g. smtp://user:pass@host:587; unset: letters stay in the outbox. */
  smtpUrl: string | undefined;
  /** How long a resolved API token is trusted without asking the database again (decision 69). */
  apiTokenTrustMs: number;
}

/** Decision 69: a revoked API token or a changed role holds on other server processes within this. */
export const DEFAULT_API_TOKEN_TRUST_SECONDS = 5;

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const given = env[name];
  if (given === undefined || given === '') return fallback;
  const value = Number(given);
  if (!Number.isFinite(value) || value < 0 || value > 3600)
    throw new Error(`${name} must be a number of seconds from 0 to 3600, got ${given}`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const port = Number.parseInt(env.PORT ?? '3000', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? './data',
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS !== 'false',
    logLevel: env.LOG_LEVEL ?? 'info',
    secureCookies: env.SECURE_COOKIES === 'true',
    seedDemo: env.SEED_DEMO !== 'false',
    smtpUrl: env.SMTP_URL || undefined,
    apiTokenTrustMs: seconds(env, 'API_TOKEN_TRUST_SECONDS', DEFAULT_API_TOKEN_TRUST_SECONDS) * 1000,
  };
}
