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
  };
}
