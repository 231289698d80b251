/**
 * The configuration API as the configuration screens use it (docs/api.md, "Route groups":
 * configuration, letters, staff). Every write is validated, authorized and audited by the
 * server; these functions only send and read JSON.
 */
import { apiRequest, getPublicInstitution, listPublicInstitutions } from '../api.ts';

import { institutionPath as base, enc } from './shared.ts';

/** A record of one of the generic audited resources (libraries, desks, terms-of-use...). */
export type ConfigRecord = {
  id: string;
  institutionId: string;
  createdAt?: string;
  updatedAt?: string;
  [field: string]: unknown;
};

/** The path segments of the generic configuration resources (src/server/config/resources.ts). */
export type ResourcePath =
  | 'libraries'
  | 'desks'
  | 'locations'
  | 'user-groups'
  | 'item-policies'
  | 'material-types'
  | 'terms-of-use'
  | 'terms-of-use-rules'
  | 'loan-limits'
  | 'linked-account-rules';

export function listRecords(
  institutionId: string,
  path: ResourcePath,
  signal?: AbortSignal,
): Promise<ConfigRecord[]> {
  return apiRequest<ConfigRecord[]>('GET', `${base(institutionId)}/${path}`, { signal });
}

export function createRecord(
  institutionId: string,
  path: ResourcePath,
  body: Record<string, unknown>,
): Promise<ConfigRecord> {
  return apiRequest<ConfigRecord>('POST', `${base(institutionId)}/${path}`, { body });
}

export function updateRecord(
  institutionId: string,
  path: ResourcePath,
  id: string,
  body: Record<string, unknown>,
): Promise<ConfigRecord> {
  return apiRequest<ConfigRecord>('PATCH', `${base(institutionId)}/${path}/${enc(id)}`, { body });
}

export function deleteRecord(institutionId: string, path: ResourcePath, id: string): Promise<void> {
  return apiRequest<void>('DELETE', `${base(institutionId)}/${path}/${enc(id)}`);
}

// --- The institution and its network settings (NET-1, NET-4, NET-5) -------------------------

export interface Institution {
  id: string;
  code: string;
  name: string;
  timeZone: string;
  currency: string;
  address: string | null;
  email: string | null;
  crossConsortiaIdsEnabled: boolean;
  searchableIdentifierTypes: string[];
  discoveryExposure: 'availability' | 'holdings' | 'request';
  remoteRegistrationMode: 'none' | 'manual' | 'auto';
  acceptsNetworkTitleRequests: boolean;
  preferHomeCopy: boolean;
  guestUserGroupId: string | null;
  networks: { id: string; code: string; name: string; joinedAt: string }[];
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

export function getInstitution(institutionId: string, signal?: AbortSignal): Promise<Institution> {
  return apiRequest<Institution>('GET', base(institutionId), { signal });
}

export function updateInstitution(
  institutionId: string,
  body: Record<string, unknown>,
): Promise<Institution> {
  return apiRequest<Institution>('PATCH', base(institutionId), { body });
}

// --- Calendars (NET-6) ------------------------------------------------------------------------

export interface OpeningHours {
  /** ISO weekday: 1 Monday .. 7 Sunday. */
  weekday: number;
  opens: string;
  closes: string;
}

export interface ClosedDay {
  day: string;
  reason: string;
}

export interface Calendar {
  openingHours: OpeningHours[];
  closedDays: ClosedDay[];
}

export function getCalendar(
  institutionId: string,
  libraryId: string,
  signal?: AbortSignal,
): Promise<Calendar> {
  return apiRequest<Calendar>('GET', `${base(institutionId)}/libraries/${enc(libraryId)}/calendar`, {
    signal,
  });
}

export function putCalendar(institutionId: string, libraryId: string, calendar: Calendar): Promise<Calendar> {
  return apiRequest<Calendar>('PUT', `${base(institutionId)}/libraries/${enc(libraryId)}/calendar`, {
    body: calendar,
  });
}

// --- Letters (CIRC-12) ------------------------------------------------------------------------

/** The letter types (src/server/letters/templates.ts LETTER_TYPES), with words for staff. */
export const LETTER_TYPES: { type: string; label: string }[] = [
  { type: 'loan_receipt', label: 'Loan receipt' },
  { type: 'return_receipt', label: 'Return receipt' },
  { type: 'hold_available', label: 'Hold available for pickup' },
  { type: 'hold_shelf_reminder', label: 'Hold shelf reminder' },
  { type: 'hold_expired', label: 'Hold expired' },
  { type: 'courtesy', label: 'Courtesy notice (due soon)' },
  { type: 'overdue', label: 'Overdue notice' },
  { type: 'lost', label: 'Lost item notice' },
  { type: 'request_cancelled', label: 'Request cancelled' },
  { type: 'request_unfillable', label: 'Request cannot be filled' },
];

export interface LetterTemplate {
  letterType: string;
  subject: string;
  body: string;
  updatedAt: string;
}

export interface LetterSettings {
  lettersFrom: string | null;
  sender: string;
  placeholders: string[];
  templates: LetterTemplate[];
}

export function getLetterSettings(institutionId: string, signal?: AbortSignal): Promise<LetterSettings> {
  return apiRequest<LetterSettings>('GET', `${base(institutionId)}/letter-templates`, { signal });
}

export function putLetterTemplate(
  institutionId: string,
  letterType: string,
  body: { subject: string; body: string },
): Promise<LetterSettings> {
  return apiRequest<LetterSettings>('PUT', `${base(institutionId)}/letter-templates/${enc(letterType)}`, {
    body,
  });
}

export function deleteLetterTemplate(institutionId: string, letterType: string): Promise<LetterSettings> {
  return apiRequest<LetterSettings>('DELETE', `${base(institutionId)}/letter-templates/${enc(letterType)}`);
}

export function putLetterSender(institutionId: string, lettersFrom: string | null): Promise<LetterSettings> {
  return apiRequest<LetterSettings>('PUT', `${base(institutionId)}/letter-sender`, { body: { lettersFrom } });
}

// --- Audit trail (NET-7) ----------------------------------------------------------------------

export interface AuditEntry {
  id: number;
  at: string;
  actorStaffId: string | null;
  actorUsername: string | null;
  institutionId: string | null;
  networkId: string | null;
  action: 'create' | 'update' | 'delete';
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export function listAudit(
  institutionId: string,
  query: { entityType?: string; limit?: number } = {},
  signal?: AbortSignal,
): Promise<AuditEntry[]> {
  const params = new URLSearchParams();
  if (query.entityType) params.set('entityType', query.entityType);
  params.set('limit', String(query.limit ?? 100));
  return apiRequest<AuditEntry[]>('GET', `${base(institutionId)}/audit?${params.toString()}`, { signal });
}

// --- Staff and roles --------------------------------------------------------------------------

export const INSTITUTION_ROLES: { role: string; label: string }[] = [
  { role: 'circulation_desk_manager', label: 'Circulation desk manager' },
  { role: 'circulation_desk_operator', label: 'Circulation desk operator' },
  { role: 'circulation_desk_operator_limited', label: 'Circulation desk operator (limited)' },
  { role: 'user_manager', label: 'User manager' },
  { role: 'user_administrator', label: 'User administrator' },
  { role: 'fulfillment_administrator', label: 'Fulfillment administrator' },
  { role: 'general_system_administrator', label: 'General system administrator' },
];

export function roleLabel(role: string): string {
  if (role === 'network_administrator') return 'Network administrator';
  return INSTITUTION_ROLES.find((r) => r.role === role)?.label ?? role;
}

export interface RoleAssignmentView {
  id: string;
  role: string;
  institutionId: string | null;
  libraryId: string | null;
  deskId: string | null;
  networkId: string | null;
}

export interface StaffMember {
  id: string;
  institutionId: string;
  username: string;
  name: string;
  email: string | null;
  active: boolean;
  createdAt: string;
  roles: RoleAssignmentView[];
}

export function listStaff(institutionId: string, signal?: AbortSignal): Promise<StaffMember[]> {
  return apiRequest<StaffMember[]>('GET', `${base(institutionId)}/staff`, { signal });
}

export function assignRole(
  institutionId: string,
  staffId: string,
  body: { role: string; libraryId?: string | null; deskId?: string | null },
): Promise<StaffMember> {
  return apiRequest<StaffMember>('POST', `${base(institutionId)}/staff/${enc(staffId)}/roles`, { body });
}

export function revokeRole(institutionId: string, staffId: string, assignmentId: string): Promise<void> {
  return apiRequest<void>(
    'DELETE',
    `${base(institutionId)}/staff/${enc(staffId)}/roles/${enc(assignmentId)}`,
  );
}

// --- Library relations and transit times (NET-6) ----------------------------------------------

/**
 * Whether `libraryId` lends for, and delivers to, `forLibraryId` (two libraries of the same
 * institution). A pair without a stored relation has the database default: both allowed.
 */
export interface LibraryRelation {
  libraryId: string;
  forLibraryId: string;
  lends: boolean;
  delivers: boolean;
}

export function listLibraryRelations(
  institutionId: string,
  signal?: AbortSignal,
): Promise<LibraryRelation[]> {
  return apiRequest<LibraryRelation[]>('GET', `${base(institutionId)}/library-relations`, { signal });
}

export function putLibraryRelation(
  institutionId: string,
  relation: LibraryRelation,
): Promise<LibraryRelation> {
  return apiRequest<LibraryRelation>('PUT', `${base(institutionId)}/library-relations`, { body: relation });
}

/** Days in transit from one library to another (also another institution's); 1 when not set. */
export interface TransitTime {
  fromLibraryId: string;
  toLibraryId: string;
  days: number;
}

export function listTransitTimes(institutionId: string, signal?: AbortSignal): Promise<TransitTime[]> {
  return apiRequest<TransitTime[]>('GET', `${base(institutionId)}/transit-times`, { signal });
}

/** Sets the days from one of the institution's own libraries to any library (audited). */
export function putTransitTime(institutionId: string, transit: TransitTime): Promise<TransitTime> {
  return apiRequest<TransitTime>('PUT', `${base(institutionId)}/transit-times`, { body: transit });
}

export function deleteTransitTime(
  institutionId: string,
  fromLibraryId: string,
  toLibraryId: string,
): Promise<void> {
  return apiRequest<void>(
    'DELETE',
    `${base(institutionId)}/transit-times/${enc(fromLibraryId)}/${enc(toLibraryId)}`,
  );
}

/** A library anywhere in the network, with its institution, to name both ends of a transit. */
export interface NetworkLibrary {
  id: string;
  name: string;
  institutionId: string;
  institutionName: string;
}

/** Every institution's libraries, from the public institution pages (names only). */
export async function listNetworkLibraries(signal?: AbortSignal): Promise<NetworkLibrary[]> {
  const institutions = await listPublicInstitutions(signal);
  const details = await Promise.all(institutions.map((i) => getPublicInstitution(i.code, signal)));
  return details.flatMap((d) =>
    d.libraries.map((l) => ({ id: l.id, name: l.name, institutionId: d.id, institutionName: d.name })),
  );
}
