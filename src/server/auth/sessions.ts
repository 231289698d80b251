import { type Expression, expressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { compiledOnce } from '../db/compiled.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { forbidden, notFound, unauthenticated } from '../shared/errors.ts';
import { type Actor, can, type PatronActor, privilegesIn, type StaffActor } from './authorize.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import type { Role, RoleAssignment } from './privileges.ts';
import { hashToken, newSecret } from './tokens.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface NewSession {
  token: string;
  csrfToken: string;
  actor: Actor;
}

async function loadAssignments(db: Db, staffId: string): Promise<RoleAssignment[]> {
  const rows = await db
    .selectFrom('role_assignments')
    .select(['role', 'institution_id', 'library_id', 'desk_id', 'network_id'])
    .where('staff_id', '=', staffId)
    .execute();
  return toAssignments(rows);
}

function toAssignments(
  rows: {
    role: string;
    institution_id: string | null;
    library_id: string | null;
    desk_id: string | null;
    network_id: string | null;
  }[],
): RoleAssignment[] {
  return rows.map((r) => ({
    role: r.role as Role,
    institutionId: r.institution_id,
    libraryId: r.library_id,
    deskId: r.desk_id,
    networkId: r.network_id,
  }));
}

async function createSession(
  db: Db,
  owner: { staffId?: string; patronId?: string; institutionId: string },
): Promise<{ token: string; tokenHash: string; csrfToken: string }> {
  const token = newSecret();
  const csrfToken = newSecret();
  const tokenHash = hashToken(token);
  // Expired sessions are of no use to anyone; each sign-in sweeps a few away.
  await db
    .deleteFrom('sessions')
    .where('token_hash', 'in', (eb) =>
      eb.selectFrom('sessions').select('token_hash').where('expires_at', '<', new Date()).limit(50),
    )
    .execute();
  await db
    .insertInto('sessions')
    .values({
      token_hash: tokenHash,
      staff_id: owner.staffId ?? null,
      patron_id: owner.patronId ?? null,
      institution_id: owner.institutionId,
      csrf_token: csrfToken,
      expires_at: new Date(Date.now() + SESSION_TTL_MS),
    })
    .execute();
  return { token, tokenHash, csrfToken };
}

/**
 * The active staff account with this username and password, or null; an unknown user costs
 * the same password check as a wrong password, so timing does not tell them apart.
 */
async function verifyStaffCredentials(db: Db, username: string, password: string) {
  const staff = await db
    .selectFrom('staff')
    .select(['id', 'username', 'name', 'institution_id', 'password_hash', 'active'])
    .where('username', '=', username.toLowerCase())
    .executeTakeFirst();
  const ok = await verifyPassword(staff?.password_hash ?? (await dummyPasswordHash()), password);
  return staff && ok && staff.active ? staff : null;
}

/** Staff sign-in by username and password; the same answer for an unknown user and a wrong password. */
export async function signInStaff(db: Db, username: string, password: string): Promise<NewSession> {
  const staff = await verifyStaffCredentials(db, username, password);
  if (!staff) throw unauthenticated('Wrong username or password.', 'INVALID_CREDENTIALS');
  const session = await createSession(db, { staffId: staff.id, institutionId: staff.institution_id });
  const actor: StaffActor = {
    kind: 'staff',
    staffId: staff.id,
    username: staff.username,
    name: staff.name,
    homeInstitutionId: staff.institution_id,
    assignments: await loadAssignments(db, staff.id),
    via: 'session',
    sessionTokenHash: session.tokenHash,
    deskId: null,
  };
  return { token: session.token, csrfToken: session.csrfToken, actor };
}

/**
 * CIRC-4 / CIRC-5: a manager approving an override at another operator's desk types their own
 * username and password there; this checks them without opening a session for the manager.
 * Null when they are wrong (the caller says so without telling which).
 */
export async function verifyApprover(db: Db, username: string, password: string): Promise<StaffActor | null> {
  const staff = await verifyStaffCredentials(db, username, password);
  if (!staff) return null;
  return {
    kind: 'staff',
    staffId: staff.id,
    username: staff.username,
    name: staff.name,
    homeInstitutionId: staff.institution_id,
    assignments: await loadAssignments(db, staff.id),
    via: 'session',
    sessionTokenHash: null,
    deskId: null,
  };
}

/** Patron sign-in to discovery: institution code + primary identifier + discovery password. */
export async function signInPatron(
  db: Db,
  institutionCode: string,
  identifier: string,
  password: string,
): Promise<NewSession> {
  const patron = await db
    .selectFrom('patrons')
    .innerJoin('institutions', 'institutions.id', 'patrons.institution_id')
    .select([
      'patrons.id',
      'patrons.first_name',
      'patrons.last_name',
      'patrons.institution_id',
      'patrons.password_hash',
      'patrons.status',
    ])
    .where('institutions.code', '=', institutionCode)
    .where('patrons.primary_identifier', '=', identifier)
    .executeTakeFirst();
  const ok = await verifyPassword(patron?.password_hash ?? (await dummyPasswordHash()), password);
  if (!patron || !ok || patron.status !== 'active') {
    throw unauthenticated('Wrong identifier or password.', 'INVALID_CREDENTIALS');
  }
  const session = await createSession(db, { patronId: patron.id, institutionId: patron.institution_id });
  const actor: PatronActor = {
    kind: 'patron',
    patronId: patron.id,
    name: `${patron.first_name} ${patron.last_name}`.trim(),
    institutionId: patron.institution_id,
    sessionTokenHash: session.tokenHash,
  };
  return { token: session.token, csrfToken: session.csrfToken, actor };
}

export interface ResolvedSession {
  actor: Actor;
  csrfToken: string | null;
}

/** A session with its staff member's roles (or its patron), in one statement: every call reads both. */
const selectSession = compiledOnce((db, v: { tokenHash: string; now: Date }) =>
  db
    .selectFrom('sessions')
    .leftJoin('staff', 'staff.id', 'sessions.staff_id')
    .leftJoin('patrons', 'patrons.id', 'sessions.patron_id')
    .select([
      'sessions.staff_id',
      'sessions.patron_id',
      'sessions.csrf_token',
      'sessions.desk_id',
      'sessions.expires_at',
      'staff.username',
      'staff.name as staff_name',
      'staff.institution_id as staff_institution_id',
      'staff.active',
      'patrons.first_name',
      'patrons.last_name',
      'patrons.institution_id as patron_institution_id',
    ])
    .where('sessions.token_hash', '=', v.tokenHash)
    .where('sessions.expires_at', '>', v.now)
    .select((eb) => staffRoles(eb.ref('sessions.staff_id'))),
);

/** A staff member's role assignments as a JSON array (`assignments`), for the statement that finds them. */
function staffRoles(staffId: Expression<string | null>) {
  return jsonArrayFrom(
    expressionBuilder<Database, never>()
      .selectFrom('role_assignments as ra')
      .select(['ra.role', 'ra.institution_id', 'ra.library_id', 'ra.desk_id', 'ra.network_id'])
      .where('ra.staff_id', '=', staffId),
  ).as('assignments');
}

/** The actor behind a session cookie, or null when the session is unknown or expired. */
export async function resolveSessionToken(db: Db, token: string): Promise<ResolvedSession | null> {
  const tokenHash = hashToken(token);
  const [row] = (await selectSession(db, { tokenHash, now: new Date() })).rows;
  if (!row) return null;
  if (row.staff_id && row.username && row.staff_name && row.staff_institution_id && row.active) {
    return {
      csrfToken: row.csrf_token,
      actor: {
        kind: 'staff',
        staffId: row.staff_id,
        username: row.username,
        name: row.staff_name,
        homeInstitutionId: row.staff_institution_id,
        assignments: toAssignments(row.assignments),
        via: 'session',
        sessionTokenHash: tokenHash,
        deskId: row.desk_id,
      },
    };
  }
  if (row.patron_id && row.patron_institution_id) {
    return {
      csrfToken: row.csrf_token,
      actor: {
        kind: 'patron',
        patronId: row.patron_id,
        name: `${row.first_name ?? ''} ${row.last_name ?? ''}`.trim(),
        institutionId: row.patron_institution_id,
        sessionTokenHash: tokenHash,
      },
    };
  }
  return null;
}

/** How stale an API token's `last_used_at` may be (decisions.md: "An API token's last use is recorded once a minute"). */
export const TOKEN_USE_RECORDED_EVERY_MS = 60_000;

const selectApiToken = compiledOnce((db, v: { tokenHash: string }) =>
  db
    .selectFrom('api_tokens')
    .innerJoin('staff', 'staff.id', 'api_tokens.staff_id')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at'])
    .select(['staff.id', 'staff.username', 'staff.name', 'staff.institution_id'])
    // The roles come with the token, in the same statement (every API call reads both).
    .select((eb) => staffRoles(eb.ref('staff.id')))
    .where('api_tokens.token_hash', '=', v.tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where('staff.active', '=', true),
);

/**
 * API tokens resolved lately, per database, by token hash, with when each stops being
 * trusted (decision 69). Only tokens that resolved to an actor are kept; the map is emptied
 * when it grows past `RESOLVED_TOKENS_KEPT` (one entry per token in use: a network's scripts
 * and desks use a few thousand at most).
 */
interface ResolvedTokens {
  byHash: Map<string, { actor: StaffActor; until: number }>;
  /** Bumped by every forget: a lookup that began before one does not keep what it read. */
  generation: number;
}
const resolvedTokens = new WeakMap<object, ResolvedTokens>();
const RESOLVED_TOKENS_KEPT = 10_000;

function resolvedTokensOf(db: Db): ResolvedTokens {
  const known = resolvedTokens.get(db) ?? { byHash: new Map(), generation: 0 };
  resolvedTokens.set(db, known);
  return known;
}

/**
 * Forget every API token this process resolved on this database: called, once committed, by
 * every change that can end a token or change what its holder may do (a revocation, a staff
 * account's update, a role granted or removed), so that on this server the change holds at
 * once (decision 69).
 */
export function forgetResolvedApiTokens(db: Db): void {
  const known = resolvedTokensOf(db);
  known.byHash.clear();
  known.generation++;
}

/**
 * Runs a change of who may do what (a staff account, a role, a token) and then forgets the
 * resolved API tokens: after its commit, so no lookup can keep what the change replaced.
 */
export async function changingAccess<T>(db: Db, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    forgetResolvedApiTokens(db);
  }
}

/**
 * The staff actor behind an API token (`Authorization: Bearer ...`), or null. With `trustMs`
 * above zero, a token this process resolved less than that long ago is trusted without
 * asking the database (decision 69: every API call paid a round trip for it); changes made
 * through this server forget them at once (`forgetResolvedApiTokens`), changes made through
 * another server process are seen within `trustMs`.
 */
export async function resolveApiToken(
  db: Db,
  token: string,
  options: { trustMs?: number } = {},
): Promise<StaffActor | null> {
  const tokenHash = hashToken(token);
  const trustMs = options.trustMs ?? 0;
  const known = resolvedTokensOf(db);
  const kept = known.byHash.get(tokenHash);
  if (trustMs > 0 && kept && kept.until > Date.now()) return kept.actor;
  const generation = known.generation;
  const actor = await lookUpApiToken(db, tokenHash);
  if (!actor || trustMs <= 0 || generation !== known.generation) {
    known.byHash.delete(tokenHash);
    return actor;
  }
  if (known.byHash.size >= RESOLVED_TOKENS_KEPT) known.byHash.clear();
  known.byHash.set(tokenHash, { actor: Object.freeze(actor), until: Date.now() + trustMs });
  return actor;
}

async function lookUpApiToken(db: Db, tokenHash: string): Promise<StaffActor | null> {
  const now = new Date();
  const [row] = (await selectApiToken(db, { tokenHash })).rows;
  if (!row) return null;
  // The last use is recorded at most once a minute: writing it on every call cost a commit per
  // request and queued concurrent calls with one token on its row (docs/benchmarks.md).
  const since = new Date(now.getTime() - TOKEN_USE_RECORDED_EVERY_MS);
  if (!row.last_used_at || row.last_used_at < since) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.token_id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', since)]))
      .execute();
  }
  return {
    kind: 'staff',
    staffId: row.id,
    username: row.username,
    name: row.name,
    homeInstitutionId: row.institution_id,
    assignments: toAssignments(row.assignments),
    via: 'token',
    sessionTokenHash: null,
    deskId: null,
  };
}

export async function signOut(db: Db, actor: Actor): Promise<void> {
  if (actor.sessionTokenHash) {
    await db.deleteFrom('sessions').where('token_hash', '=', actor.sessionTokenHash).execute();
  }
}

/**
 * Chooses the desk the staff member works at for this session. Allowed at a desk of an
 * institution where the actor has any role covering that desk's library.
 */
export async function chooseDesk(db: Db, actor: StaffActor, deskId: string): Promise<void> {
  if (!actor.sessionTokenHash)
    throw forbidden('SESSION_REQUIRED', 'A desk is chosen in a signed-in session.');
  const desk = await db
    .selectFrom('circulation_desks')
    .select(['id', 'institution_id', 'library_id'])
    .where('id', '=', deskId)
    .executeTakeFirst();
  if (!desk) throw notFound('DESK_NOT_FOUND', 'No circulation desk with this id.', { deskId });
  // Any desk work (circulation, or patron work at the desk) needs a role that acts there.
  const scope = { institutionId: desk.institution_id, libraryId: desk.library_id, deskId: desk.id };
  if (!can(actor, 'circulation.desk', scope) && !can(actor, 'patrons.manage', scope)) {
    throw forbidden('DESK_NOT_ALLOWED', 'You have no desk role at this desk.', { deskId });
  }
  await db
    .updateTable('sessions')
    .set({ desk_id: desk.id, institution_id: desk.institution_id })
    .where('token_hash', '=', actor.sessionTokenHash)
    .execute();
}

export interface SessionView {
  user: {
    kind: 'staff' | 'patron';
    id: string;
    name: string;
    username?: string;
    institutionId: string;
    institutionCode: string;
  };
  csrfToken: string | null;
  desk: null | {
    id: string;
    code: string;
    name: string;
    libraryId: string;
    libraryName: string;
    institutionId: string;
    institutionCode: string;
    institutionName: string;
  };
  abilities: {
    institutions: { institutionId: string; code: string; name: string; privileges: string[] }[];
    networks: { networkId: string; code: string; name: string; privileges: string[] }[];
  };
}

/** What the UI is told about the signed-in user: who, where, and what they may do. */
export async function presentSession(db: Db, actor: Actor, csrfToken: string | null): Promise<SessionView> {
  const homeInstitutionId = actor.kind === 'staff' ? actor.homeInstitutionId : actor.institutionId;
  const home = await db
    .selectFrom('institutions')
    .select('code')
    .where('id', '=', homeInstitutionId)
    .executeTakeFirstOrThrow();
  const view: SessionView = {
    user: {
      kind: actor.kind,
      id: actor.kind === 'staff' ? actor.staffId : actor.patronId,
      name: actor.name,
      ...(actor.kind === 'staff' ? { username: actor.username } : {}),
      institutionId: homeInstitutionId,
      institutionCode: home.code,
    },
    csrfToken,
    desk: null,
    abilities: { institutions: [], networks: [] },
  };
  if (actor.kind !== 'staff') return view;
  const institutionIds = [
    ...new Set(actor.assignments.flatMap((a) => (a.institutionId ? [a.institutionId] : []))),
  ];
  const networkIds = [...new Set(actor.assignments.flatMap((a) => (a.networkId ? [a.networkId] : [])))];
  if (institutionIds.length > 0) {
    const institutions = await db
      .selectFrom('institutions')
      .select(['id', 'code', 'name'])
      .where('id', 'in', institutionIds)
      .orderBy('name')
      .execute();
    view.abilities.institutions = institutions.map((i) => ({
      institutionId: i.id,
      code: i.code,
      name: i.name,
      privileges: privilegesIn(actor, { institutionId: i.id }),
    }));
  }
  if (networkIds.length > 0) {
    const networks = await db
      .selectFrom('networks')
      .select(['id', 'code', 'name'])
      .where('id', 'in', networkIds)
      .orderBy('name')
      .execute();
    view.abilities.networks = networks.map((n) => ({
      networkId: n.id,
      code: n.code,
      name: n.name,
      privileges: privilegesIn(actor, { networkId: n.id }),
    }));
  }
  if (actor.deskId) {
    const desk = await db
      .selectFrom('circulation_desks as d')
      .innerJoin('libraries as l', 'l.id', 'd.library_id')
      .innerJoin('institutions as i', 'i.id', 'd.institution_id')
      .select([
        'd.id',
        'd.code',
        'd.name',
        'l.id as libraryId',
        'l.name as libraryName',
        'i.id as institutionId',
        'i.code as institutionCode',
        'i.name as institutionName',
      ])
      .where('d.id', '=', actor.deskId)
      .executeTakeFirst();
    view.desk = desk ?? null;
  }
  return view;
}
