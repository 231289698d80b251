import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Named (prepared) statements for every parameterised query, per connection (decision 64).
 *
 * Kysely sends each statement as unnamed text, so PostgreSQL parses and analyses the same SQL
 * again on every call: for a loan that is some twenty statements, each parsed anew. Naming a
 * statement by a hash of its text lets `pg` parse it once per connection and afterwards send
 * only Bind and Execute (docs/benchmarks.md). Values still travel as parameters, so nothing
 * about quoting changes, and the planner still makes a custom plan while it is cheaper than a
 * generic one (PostgreSQL's `plan_cache_mode = auto`).
 *
 * Statements without parameters (BEGIN, COMMIT, migrations of several statements) stay on the
 * simple protocol, which cannot be prepared anyway. A connection prepares at most
 * `MAX_PREPARED_PER_CONNECTION` distinct texts: queries whose text varies with their input
 * (an `IN` list of n values) would otherwise grow the server's memory without bound; past the
 * limit they run unnamed as before.
 */
export const MAX_PREPARED_PER_CONNECTION = 1000;

type Query = (text: unknown, values?: unknown) => Promise<pg.QueryResult>;

interface Prepared {
  names: Map<string, string>;
  /** Bumped when a statement met a schema it was not prepared for (STALE_STATEMENT_CODES). */
  generation: number;
}

const wrapped = new WeakMap<pg.PoolClient, pg.PoolClient>();

function statementName(text: string, generation: number): string {
  return `s${generation}_${createHash('sha1').update(text).digest('base64url')}`;
}

/**
 * Errors after which the connection's prepared statements no longer fit the schema: another
 * process migrated a table a statement reads with `SELECT *` ("cached plan must not change
 * result type"), or the statement is gone. `pg` would send the stale statement again on every
 * call, so the connection starts a new generation of names and prepares each text afresh (the
 * old statements stay on the server until the connection closes: one set per migration). The
 * one call that met the error fails. Not by closing the connection: PGlite keeps one session,
 * whose statements a new client would collide with.
 */
const STALE_STATEMENT_CODES = new Set(['0A000', '26000']);

/** The client with `query(text, values)` sent as a named statement (see above). */
export function preparingClient(client: pg.PoolClient): pg.PoolClient {
  const known = wrapped.get(client);
  if (known) return known;
  const state: Prepared = { names: new Map(), generation: 0 };
  const query = client.query.bind(client) as Query;
  const named = async (text: string, values: unknown[]) => {
    let name = state.names.get(text);
    if (!name) {
      if (state.names.size >= MAX_PREPARED_PER_CONNECTION) return query(text, values);
      name = statementName(text, state.generation);
      state.names.set(text, name);
    }
    try {
      return await query({ name, text, values });
    } catch (error) {
      if (STALE_STATEMENT_CODES.has((error as { code?: string }).code ?? '')) {
        state.names.clear();
        state.generation++;
      }
      throw error;
    }
  };
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (text: unknown, values?: unknown) =>
          typeof text === 'string' && Array.isArray(values) && values.length > 0
            ? named(text, values)
            : query(text, values);
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  wrapped.set(client, proxy);
  return proxy;
}
