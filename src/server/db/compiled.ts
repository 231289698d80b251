import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Stands for a named value while a statement is compiled; replaced by the value on each run. */
class Slot {
  constructor(readonly name: string) {}

  /** Text or arithmetic made of a stand-in would freeze the first call's value: refused. */
  [Symbol.toPrimitive](): never {
    throw new Error(
      `compiledOnce: the statement computes with "${this.name}", a stand-in for each call's value`,
    );
  }
}

interface Template {
  sql: string;
  /** The compiled parameters: a `Slot` where a value of the call goes, else a fixed value. */
  parameters: readonly unknown[];
}

/**
 * A hot statement built and compiled once per process, then run with each call's values
 * (issue 8, decision 66). Kysely builds a statement's tree and compiles it to SQL on every
 * call, about a quarter of the server's time while lending (docs/benchmarks.md); a desk
 * operation's statements have the same shape every time, so only their values need binding.
 *
 * `build` is called once, with stand-ins for the values: it must pass each value straight
 * into the query (a comparison, `sql` template, insert or update value) and never branch on
 * it or read into it. The first run checks that every value it read became a parameter, and
 * a stand-in refuses to become text or a number; a test of a value's truth cannot be caught
 * (a stand-in is always true), so branch on the shape (`compiledPerShape`), never a value. Values in `in` lists do not fit (Kysely expands an array into one
 * parameter per element): use `= any(${value})`.
 */
export function compiledOnce<V extends Record<string, unknown>, R>(
  build: (executor: Executor, values: V) => Compilable<R>,
): CompiledStatement<V, R> {
  const perShape = compiledPerShape<'', V, R>((executor, values) => build(executor, values));
  return Object.assign((executor: Executor, values: V) => perShape(executor, '', values), {
    statement: (executor: Executor, values: V) => perShape.statement(executor, '', values),
  });
}

/** A statement compiled once: run it, or take it with its values bound (for `pipelined`, db/pipeline.ts). */
export type CompiledStatement<V, R> = ((executor: Executor, values: V) => Promise<QueryResult<R>>) & {
  statement(executor: Executor, values: V): CompiledQuery<R>;
};

/** As `CompiledStatement`, for a statement with shapes. */
export type CompiledShapes<S, V, R> = ((
  executor: Executor,
  shape: S,
  values: V,
) => Promise<QueryResult<R>>) & {
  statement(executor: Executor, shape: S, values: V): CompiledQuery<R>;
};

/**
 * As `compiledOnce`, for a statement with a few shapes (an optional condition, one or two rows
 * to insert): `build` may branch on `shape`, a string or number naming the variant, and each
 * shape is compiled once.
 */
export function compiledPerShape<S extends string | number, V extends Record<string, unknown>, R>(
  build: (executor: Executor, values: V, shape: S) => Compilable<R>,
): CompiledShapes<S, V, R> {
  const templates = new Map<S, Template>();
  const statement = (executor: Executor, shape: S, values: V): CompiledQuery<R> => {
    let template = templates.get(shape);
    if (!template) {
      template = compileTemplate<V, R>(executor, (e, v) => build(e, v, shape));
      templates.set(shape, template);
    }
    const parameters = template.parameters.map((p) => (p instanceof Slot ? values[p.name] : p));
    return CompiledQuery.raw(template.sql, parameters) as CompiledQuery<R>;
  };
  return Object.assign(
    async (executor: Executor, shape: S, values: V) =>
      executor.executeQuery(statement(executor, shape, values)),
    { statement },
  );
}

function compileTemplate<V extends Record<string, unknown>, R>(
  executor: Executor,
  build: (executor: Executor, values: V) => Compilable<R>,
): Template {
  const read = new Set<string>();
  const stand = new Proxy({} as V, {
    get(_, name) {
      read.add(String(name));
      return new Slot(String(name));
    },
  });
  const compiled = build(executor, stand).compile();
  const bound = new Set(compiled.parameters.flatMap((p) => (p instanceof Slot ? [p.name] : [])));
  const lost = [...read].filter((name) => !bound.has(name));
  if (lost.length > 0) {
    throw new Error(`compiledOnce: ${lost.join(', ')} did not become parameters of ${compiled.sql}`);
  }
  return { sql: compiled.sql, parameters: compiled.parameters };
}

/**
 * A row of stand-ins for a statement compiled once: each column's value is the one named
 * `prefix + column` (`slotValues` gives them on each call). For rows written whole, such as
 * an insert's.
 */
export function rowOfSlots<C extends string>(
  values: Record<string, unknown>,
  prefix: string,
  columns: readonly C[],
): Record<C, unknown> {
  return Object.fromEntries(columns.map((column) => [column, values[prefix + column]])) as Record<C, unknown>;
}

/** A row's values named for `rowOfSlots`: each column under `prefix + column`. */
export function slotValues(prefix: string, row: object): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) values[prefix + column] = value;
  return values;
}

/**
 * The columns of a row type, all of them (a type error names any left out): a statement
 * compiled once writes the columns it was compiled with, so one missing here would be lost.
 */
export function everyColumnOf<Row>() {
  return <const C extends readonly (keyof Row & string)[]>(
    ...columns: Exclude<keyof Row, C[number]> extends never ? C : [missing: Exclude<keyof Row, C[number]>]
  ) => columns as unknown as C;
}
