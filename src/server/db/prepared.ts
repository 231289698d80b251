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
}

const wrapped = new WeakMap<pg.PoolClient, pg.PoolClient>();

function statementName(text: string): string {
  return `s_${createHash('sha1').update(text).digest('base64url')}`;
}

/** The client with `query(text, values)` sent as a named statement (see above). */
export function preparingClient(client: pg.PoolClient): pg.PoolClient {
  const known = wrapped.get(client);
  if (known) return known;
  const state: Prepared = { names: new Map() };
  const query = client.query.bind(client) as Query;
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'query') {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (text: unknown, values?: unknown) => {
        if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0) {
          return query(text, values);
        }
        let name = state.names.get(text);
        if (!name) {
          if (state.names.size >= MAX_PREPARED_PER_CONNECTION) return query(text, values);
          name = statementName(text);
          state.names.set(text, name);
        }
        return query({ name, text, values });
      };
    },
  });
  wrapped.set(client, proxy);
  return proxy;
}

/** A pool whose clients prepare their parameterised statements (for Kysely's PostgresDialect). */
export function preparingPool(pool: pg.Pool) {
  return {
    async connect() {
      return preparingClient(await pool.connect());
    },
    end: () => pool.end(),
    options: pool.options,
  };
}
