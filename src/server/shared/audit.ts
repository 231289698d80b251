import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { StaffActor } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

export interface AuditEntry {
  actor: StaffActor | null;
  requestId?: string;
  institutionId?: string | null;
  networkId?: string | null;
  action: 'create' | 'update' | 'delete';
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** NET-7: records a configuration change in the same transaction as the change itself. */
export async function recordAudit(trx: Transaction<Database>, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      actor_staff_id: entry.actor?.staffId ?? null,
      request_id: entry.requestId ?? null,
      institution_id: entry.institutionId ?? null,
      network_id: entry.networkId ?? null,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

/** NET-7: the trail of one institution or one network, newest first. */
export async function listAudit(
  db: Db,
  owner: { institutionId: string } | { networkId: string },
  filter: { entityType?: string; entityId?: string; limit: number },
) {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff as s', 's.id', 'a.actor_staff_id')
    .selectAll('a')
    .select('s.username as actor_username')
    .orderBy('a.id', 'desc')
    .limit(filter.limit);
  query =
    'institutionId' in owner
      ? query.where('a.institution_id', '=', owner.institutionId)
      : query.where('a.network_id', '=', owner.networkId);
  if (filter.entityType) query = query.where('a.entity_type', '=', filter.entityType);
  if (filter.entityId) query = query.where('a.entity_id', '=', filter.entityId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorStaffId: r.actor_staff_id,
    actorUsername: r.actor_username,
    institutionId: r.institution_id,
    networkId: r.network_id,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before,
    after: r.after,
    requestId: r.request_id,
  }));
}

export const auditQuerySchema = z.object({
  entityType: z.string().max(64).optional(),
  entityId: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string(),
    actorStaffId: z.string().nullable(),
    actorUsername: z.string().nullable(),
    institutionId: z.string().nullable(),
    networkId: z.string().nullable(),
    action: z.enum(['create', 'update', 'delete']),
    entityType: z.string(),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
