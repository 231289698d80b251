import { CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

/**
 * Fewer round trips to PostgreSQL: statements written together in one socket write (decisions
 * 67 and 68).
 *
 * Each statement Kysely sends is a round trip: a socket write, a wake-up of the backend, a read
 * of the answer. On this project's two-core benchmark machine the writes were the largest share
 * of the server's time (docs/benchmarks.md). PostgreSQL runs what it receives in order, each
 * statement taking its snapshot when it starts, so statements that do not need each other's
 * answers can travel together on a `pg` client in pipeline mode (which writes a query without
 * waiting for the answer to the one before):
 *
 * - a transaction's BEGIN is held back and written with its first statement (decision 67); a
 *   transaction that ends before any statement sends nothing;
 * - `pipelined(trx, [a, b, c])` writes a batch of statements at once and gives their results in
 *   order (decision 68). A statement that reads what an earlier one locks still reads it after
 *   the lock is granted, exactly as when sent alone: the lock order and the rule "read what a
 *   lock guards in a statement after the one that takes it" (architecture.md) hold unchanged;
 * - a use case's last write can carry the COMMIT (`{ commit: true }`, decision 68).
 *
 * Only parameterised SELECTs ride with BEGIN: had BEGIN failed, they would have run on their
 * own, and a SELECT changes nothing. Any other first statement waits for BEGIN's answer. On a
 * client without pipeline mode (PGlite's, in-process, with no round trip to save) everything is
 * sent one statement at a time, in the same order.
 */
type Query = (text: unknown, values?: unknown) => Promise<pg.QueryResult>;
type Executor = Kysely<Database> | Transaction<Database>;

// One statement only: a raw text of several (`BEGIN; ...; COMMIT`) is sent as it is.
const OPENS = /^\s*(begin|start\s+transaction)\b[^;]*;?\s*$/i;
const ENDS = /^\s*(commit|rollback)\s*;?\s*$/i;
const READS_ONLY = /^\s*select\b/i;

/** The statements of one `pipelined` call, carried through Kysely as its one parameter. */
class StatementBatch {
  constructor(
    readonly statements: readonly CompiledQuery[],
    /** COMMIT written after them: the transaction ends with this batch. */
    readonly commit: boolean,
  ) {}
}
const BATCH_TEXT = '/* statements pipelined in one write: db/pipeline.ts */';

/** Whether a query Kysely sends is a batch that ends its transaction (Kysely's COMMIT after it is not sent). */
export function commitsItsTransaction(query: CompiledQuery): boolean {
  const batch = query.sql === BATCH_TEXT ? query.parameters[0] : null;
  return batch instanceof StatementBatch && batch.commit;
}

/** The statements a query Kysely sends stands for: a batch's, or itself. */
export function statementsOf(query: CompiledQuery): readonly CompiledQuery[] {
  const batch = query.sql === BATCH_TEXT ? query.parameters[0] : null;
  return batch instanceof StatementBatch ? batch.statements : [query];
}

/** pg's own conversion of a value for the wire (it throws on a value it cannot send). */
const prepareValue = (value: unknown) => {
  (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils.prepareValue(value);
};

/**
 * Runs the statements in order, written to PostgreSQL together, and gives their results in the
 * same order. If one fails, the call fails with the first failure (in a transaction the ones
 * after it fail too: the transaction is aborted).
 *
 * `{ commit: true }` (in a transaction) writes COMMIT after them, for a use case's last write:
 * the transaction ends here, committed when every statement succeeded, rolled back otherwise,
 * and the call fails if it did not commit. Nothing may run in the transaction afterwards (a
 * statement is refused), and the callback must not fail after it: its work is committed.
 */
export async function pipelined<R extends readonly unknown[]>(
  executor: Executor,
  statements: { readonly [K in keyof R]: CompiledQuery<R[K]> },
  options: { commit?: boolean } = {},
): Promise<{ [K in keyof R]: QueryResult<R[K]> }> {
  const commit = options.commit === true;
  if (commit && !executor.isTransaction) throw new Error('pipelined: commit outside a transaction');
  // Outside a transaction each statement commits on its own, even after one before it failed:
  // only reads may be batched there.
  if (!executor.isTransaction && !statements.every((q) => READS_ONLY.test(q.sql))) {
    throw new Error('pipelined: writes are batched only in a transaction');
  }
  const { rows } = await executor.executeQuery(
    CompiledQuery.raw(BATCH_TEXT, [new StatementBatch(statements as readonly CompiledQuery[], commit)]),
  );
  if (rows.length !== statements.length) {
    throw new Error('pipelined: the connection did not run the batch (not opened by db/database.ts)');
  }
  return rows as unknown as { [K in keyof R]: QueryResult<R[K]> };
}

const wrapped = new WeakMap<pg.PoolClient, pg.PoolClient>();

/** COMMIT's answer, refused when PostgreSQL rolled back instead (an earlier failure aborted it). */
async function committed(answer: Promise<pg.QueryResult>): Promise<pg.QueryResult> {
  const result = await answer;
  if (result.command === 'ROLLBACK') throw new Error('the transaction was rolled back, not committed');
  return result;
}

/** What PostgreSQL answers to a command without rows (BEGIN held back, an empty transaction's end). */
function commandAnswer(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, fields: [], rows: [] };
}

const withoutValues = (values: unknown) =>
  values === undefined || (Array.isArray(values) && values.length === 0);
const readsOnly = (s: { sql: string; parameters: readonly unknown[] }) =>
  READS_ONLY.test(s.sql) && s.parameters.length > 0;

/** The client with BEGIN held back and batches written at once (see above). */
export function pipeliningClient(client: pg.PoolClient): pg.PoolClient {
  const known = wrapped.get(client);
  if (known) return known;
  const query = client.query.bind(client) as Query;
  let heldBegin: string | null = null;

  /**
   * The transaction ended with a batch's COMMIT (how it ended: PostgreSQL answers a COMMIT of an
   * aborted transaction with ROLLBACK); Kysely's own COMMIT or ROLLBACK is still to come.
   */
  let endedEarly: 'COMMIT' | 'ROLLBACK' | null = null;

  /** Sends BEGIN (if held), the statements and COMMIT (if asked); one write on a pipelining client. */
  const send = async (
    begin: string | null,
    statements: readonly { sql: string; parameters: readonly unknown[] }[],
    commit = false,
  ): Promise<pg.QueryResult[]> => {
    // A value pg cannot send fails its statement on this side, unseen by PostgreSQL, which would
    // then commit the statements before it (and PGlite's session is left aborted): checked
    // before anything of the batch is written, so the caller's rollback undoes the transaction.
    if (commit) for (const s of statements) s.parameters.forEach(prepareValue);
    if (client.pipeline !== true) {
      let ended: 'COMMIT' | 'ROLLBACK' = 'ROLLBACK';
      try {
        if (begin) await query(begin);
        const results: pg.QueryResult[] = [];
        for (const s of statements) results.push(await query(s.sql, s.parameters));
        if (commit) ended = (await committed(query('COMMIT'))).command as 'COMMIT';
        return results;
      } catch (error) {
        // The original error is the one to report, whatever the ROLLBACK meets.
        if (commit) await query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        if (commit) endedEarly = ended;
      }
    }
    const beginRides = begin !== null && statements.every(readsOnly);
    if (begin !== null && !beginRides) await query(begin);
    // pg corks each query's own messages; this cork holds them all until every one is queued.
    const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } })
      .connection?.stream;
    const sent: Promise<pg.QueryResult>[] = [];
    stream?.cork?.();
    try {
      if (beginRides) sent.push(query(begin));
      for (const s of statements) sent.push(query(s.sql, s.parameters));
      // After a failed statement COMMIT ends the aborted transaction as ROLLBACK: over either way.
      if (commit) {
        const answer = query('COMMIT');
        endedEarly = 'ROLLBACK';
        sent.push(
          committed(answer).then((result) => {
            endedEarly = 'COMMIT';
            return result;
          }),
        );
      }
    } finally {
      stream?.uncork?.();
    }
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((s) => (s as PromiseFulfilledResult<pg.QueryResult>).value);
    return results.slice(beginRides ? 1 : 0, commit ? -1 : undefined);
  };

  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'query') {
        return async (text: unknown, values?: unknown) => {
          if (endedEarly) {
            if (typeof text === 'string' && withoutValues(values) && ENDS.test(text)) {
              // Kysely's COMMIT learns how the transaction really ended (a ROLLBACK answer makes it
              // throw); its ROLLBACK has nothing left to undo.
              const ended = endedEarly;
              endedEarly = null;
              return commandAnswer(/commit/i.test(text) ? ended : 'ROLLBACK');
            }
            throw new Error(
              'a statement after the transaction was committed with its last write (db/pipeline.ts)',
            );
          }
          if (text === BATCH_TEXT && Array.isArray(values) && values[0] instanceof StatementBatch) {
            const begin = heldBegin;
            heldBegin = null;
            const results = await send(begin, values[0].statements, values[0].commit);
            return { ...commandAnswer('SELECT'), rowCount: results.length, rows: results };
          }
          if (typeof text === 'string' && withoutValues(values)) {
            if (OPENS.test(text) && heldBegin === null) {
              heldBegin = text;
              return commandAnswer('BEGIN');
            }
            if (heldBegin !== null && ENDS.test(text)) {
              // Nothing was sent since BEGIN: there is no transaction to end.
              heldBegin = null;
              return commandAnswer(text.trim().replace(/;$/, '').toUpperCase());
            }
          }
          if (heldBegin === null) return query(text, values);
          const begin = heldBegin;
          heldBegin = null;
          if (typeof text !== 'string') {
            await query(begin);
            return query(text, values);
          }
          const [result] = await send(begin, [{ sql: text, parameters: (values ?? []) as unknown[] }]);
          return result as pg.QueryResult;
        };
      }
      if (property === 'release') {
        // Back to the pool with nothing held over (a BEGIN never sent, a transaction already
        // ended: nothing on the server to undo). A PostgreSQL client still inside a transaction
        // (a caller that never ended it) is closed, not handed to the next caller with its locks.
        // PGlite's one session is never closed (database.ts).
        return (destroy?: boolean | Error) => {
          heldBegin = null;
          endedEarly = null;
          const open = client.pipeline === true && client.getTransactionStatus() !== 'I';
          // Kysely passes `false` for a client it keeps: an open transaction still closes it.
          return target.release(destroy instanceof Error ? destroy : destroy === true || open);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  wrapped.set(client, proxy);
  return proxy;
}
