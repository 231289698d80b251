import type { FastifySerializerCompiler } from 'fastify';

/**
 * A route's answer written as its presenter built it, without a second pass through the
 * response schema (decision 71). For long lists whose every field the presenter sets
 * explicitly (never spreading a database row, so nothing private can ride along): a patron's
 * 200 loans spent more of the server's time checking each uuid and date against the schema than
 * reading them. The schema still documents the answer in the OpenAPI document, and the route's
 * test parses its answers with it (`test/api/loans.test.ts`).
 */
export const serializeAsPresented: FastifySerializerCompiler<unknown> = () => (data: unknown) =>
  JSON.stringify(data);
