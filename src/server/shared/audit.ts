import type { Transaction } from 'kysely';
import type { StaffActor } from '../auth/authorize.ts';
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
