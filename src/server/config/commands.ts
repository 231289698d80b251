import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { recordAudit } from '../shared/audit.ts';
import { apiToRow, rowToApi } from '../shared/case.ts';
import { notFound, refused } from '../shared/errors.ts';
import { invalidFields } from '../shared/validation.ts';
import type { ConfigResource } from './resources.ts';

// The generic table access below names tables at run time; Kysely's static table types
// cannot follow, so it goes through an untyped view of the same connection.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = Kysely<any>;
const untyped = (db: Db | Transaction<Database>) => db as unknown as AnyDb;

/** A configuration record as the API shows it. */
export type ApiRecord = { id: string; institutionId: string; [field: string]: unknown };
const present = (row: Record<string, unknown>) => rowToApi(row) as ApiRecord;

export type { CommandContext } from '../shared/command-context.ts';

import type { CommandContext } from '../shared/command-context.ts';

export async function listConfigRecords(db: Db, resource: ConfigResource, institutionId: string) {
  let query = untyped(db)
    .selectFrom(`${resource.table} as r`)
    .selectAll('r')
    .where('r.institution_id', '=', institutionId)
    .orderBy(`r.${resource.orderBy}`)
    .orderBy('r.id');
  if (resource.withLibraryName) {
    query = query.innerJoin('libraries as l', 'l.id', 'r.library_id').select('l.name as library_name');
  }
  return (await query.execute()).map(present);
}

async function findRow(
  db: Db | Transaction<Database>,
  resource: ConfigResource,
  institutionId: string,
  id: string,
  lock: boolean,
) {
  let query = untyped(db)
    .selectFrom(resource.table)
    .selectAll()
    .where('institution_id', '=', institutionId)
    .where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('RECORD_NOT_FOUND', `${resource.title} not found in this institution.`, { id });
  return row as Record<string, unknown>;
}

export async function getConfigRecord(db: Db, resource: ConfigResource, institutionId: string, id: string) {
  const record = present(await findRow(db, resource, institutionId, id, false));
  return resource.withLibraryName ? withLibraryName(db, record) : record;
}

async function withLibraryName(db: Db | Transaction<Database>, record: ApiRecord): Promise<ApiRecord> {
  const library = await db
    .selectFrom('libraries')
    .select('name')
    .where('id', '=', String(record.libraryId))
    .executeTakeFirst();
  return { ...record, libraryName: library?.name ?? '' };
}

function checkRecord(resource: ConfigResource, record: Record<string, unknown>) {
  const problems = resource.check?.(record) ?? [];
  if (problems.length > 0) throw invalidFields(problems);
}

/** Creates a configuration record, validated and audited in one transaction (NET-7). */
export async function createConfigRecord(
  ctx: CommandContext,
  resource: ConfigResource,
  institutionId: string,
  input: Record<string, unknown>,
) {
  checkRecord(resource, { ...input, institutionId });
  return ctx.db.transaction().execute(async (trx) => {
    const row = await untyped(trx)
      .insertInto(resource.table)
      .values({ ...apiToRow(input), institution_id: institutionId })
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = present(row);
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'create',
      entityType: resource.entityType,
      entityId: String(after.id),
      after,
    });
    return resource.withLibraryName ? withLibraryName(trx, after) : after;
  });
}

/** Updates some fields of a record; the merged record is validated as a whole. */
export async function updateConfigRecord(
  ctx: CommandContext,
  resource: ConfigResource,
  institutionId: string,
  id: string,
  changes: Record<string, unknown>,
) {
  return ctx.db.transaction().execute(async (trx) => {
    const before = present(await findRow(trx, resource, institutionId, id, true));
    checkRecord(resource, { ...before, ...changes });
    const values = apiToRow(changes);
    if ('updated_at' in before) values.updated_at = new Date();
    const row =
      Object.keys(values).length === 0
        ? await findRow(trx, resource, institutionId, id, false)
        : await untyped(trx)
            .updateTable(resource.table)
            .set(values)
            .where('institution_id', '=', institutionId)
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
    const after = present(row);
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'update',
      entityType: resource.entityType,
      entityId: id,
      before,
      after,
    });
    return resource.withLibraryName ? withLibraryName(trx, after) : after;
  });
}

/** Deletes a record that nothing else uses (the database refuses otherwise: 409 IN_USE). */
export async function deleteConfigRecord(
  ctx: CommandContext,
  resource: ConfigResource,
  institutionId: string,
  id: string,
) {
  await ctx.db.transaction().execute(async (trx) => {
    const before = present(await findRow(trx, resource, institutionId, id, true));
    const refusal = resource.refuseDelete?.(before);
    if (refusal) throw refused('DELETE_REFUSED', refusal, { id });
    await untyped(trx)
      .deleteFrom(resource.table)
      .where('institution_id', '=', institutionId)
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'delete',
      entityType: resource.entityType,
      entityId: id,
      before,
    });
  });
}
