import type pg from 'pg';

/**
 * A transaction's BEGIN written to PostgreSQL together with its first statement (decision 67).
 *
 * Kysely opens a transaction by sending BEGIN and waiting for the answer before it sends the
 * first statement: a round trip (a socket write, a wake-up of the backend, a read) that carries
 * nothing. Every desk operation is one transaction, so that round trip was one in ten of a loan's
 * (docs/benchmarks.md). Here BEGIN is held back and written in the same socket write as the
 * transaction's first statement, on a `pg` client in pipeline mode (which sends a query without
 * waiting for the one before to be answered); PostgreSQL runs them in order, so the statement
 * is inside the transaction exactly as before. A transaction that ends before its first
 * statement sends nothing at all.
 *
 * Only a parameterised SELECT rides with BEGIN (every desk operation starts with a locking
 * SELECT): had BEGIN failed, it would have run on its own, and a SELECT changes nothing. Any
 * other first statement, and every statement on a client without pipeline mode (PGlite's),
 * waits for BEGIN's answer as before.
 */
type Query = (text: unknown, values?: unknown) => Promise<pg.QueryResult>;

const OPENS = /^\s*(begin|start\s+transaction)\b/i;
const ENDS = /^\s*(commit|rollback)\s*;?\s*$/i;
const READS_ONLY = /^\s*select\b/i;

const wrapped = new WeakMap<pg.PoolClient, pg.PoolClient>();

/** What PostgreSQL answers to a command without rows (BEGIN held back, an empty transaction's end). */
function commandAnswer(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, fields: [], rows: [] };
}

const withoutValues = (values: unknown) =>
  values === undefined || (Array.isArray(values) && values.length === 0);

/** The client with each transaction's BEGIN sent together with its first statement (see above). */
export function pipeliningBegin(client: pg.PoolClient): pg.PoolClient {
  const known = wrapped.get(client);
  if (known) return known;
  const query = client.query.bind(client) as Query;
  let heldBegin: string | null = null;

  const sendWithBegin = async (begin: string, text: unknown, values: unknown) => {
    const pipelined =
      client.pipeline === true &&
      typeof text === 'string' &&
      READS_ONLY.test(text) &&
      Array.isArray(values) &&
      values.length > 0;
    if (!pipelined) {
      await query(begin);
      return query(text, values);
    }
    // One socket write for both: pg corks each query's own messages, and this cork holds the
    // two queries' messages until both are queued.
    const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } })
      .connection?.stream;
    stream?.cork?.();
    let begun: Promise<pg.QueryResult>;
    let answered: Promise<pg.QueryResult>;
    try {
      begun = query(begin);
      answered = query(text, values);
    } finally {
      stream?.uncork?.();
    }
    const [opened, result] = await Promise.allSettled([begun, answered]);
    if (opened.status === 'rejected') throw opened.reason;
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  };

  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (text: unknown, values?: unknown) => {
          if (typeof text === 'string' && withoutValues(values)) {
            if (OPENS.test(text) && heldBegin === null) {
              heldBegin = text;
              return Promise.resolve(commandAnswer('BEGIN'));
            }
            if (heldBegin !== null && ENDS.test(text)) {
              // Nothing was sent since BEGIN: there is no transaction to end.
              heldBegin = null;
              return Promise.resolve(commandAnswer(text.trim().replace(/;$/, '').toUpperCase()));
            }
          }
          if (heldBegin === null) return query(text, values);
          const begin = heldBegin;
          heldBegin = null;
          return sendWithBegin(begin, text, values);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  wrapped.set(client, proxy);
  return proxy;
}
