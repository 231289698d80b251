import { hashPassword } from '../../src/server/auth/passwords.ts';
import type { Role } from '../../src/server/auth/privileges.ts';
import type { Db } from '../../src/server/db/database.ts';
import { buildSearchText } from '../../src/server/patrons/rules.ts';

/**
 * Factories that make what a record needs when the test does not say: a library makes its
 * institution, a desk makes its library. Each returns the plain row ids and codes.
 */

export const TEST_PASSWORD = 'correct-horse-battery';
let passwordHash: Promise<string> | undefined;
const testPasswordHash = () => {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  return passwordHash;
};

let sequence = 0;
const next = () => ++sequence;

export interface InstitutionRef {
  id: string;
  code: string;
  name: string;
}

export async function buildInstitution(
  db: Db,
  overrides: Partial<{ code: string; name: string; timeZone: string; currency: string }> = {},
): Promise<InstitutionRef> {
  const n = next();
  return db
    .insertInto('institutions')
    .values({
      code: overrides.code ?? `INST${n}`,
      name: overrides.name ?? `Institution ${n}`,
      time_zone: overrides.timeZone ?? 'Europe/Oslo',
      currency: overrides.currency ?? 'EUR',
    })
    .returning(['id', 'code', 'name'])
    .executeTakeFirstOrThrow();
}

export interface LibraryRef {
  id: string;
  code: string;
  institutionId: string;
}

export async function buildLibrary(
  db: Db,
  options: {
    institution?: InstitutionRef;
    code?: string;
    name?: string;
    servesOtherInstitutions?: boolean;
  } = {},
): Promise<LibraryRef> {
  const institution = options.institution ?? (await buildInstitution(db));
  const n = next();
  const row = await db
    .insertInto('libraries')
    .values({
      institution_id: institution.id,
      code: options.code ?? `LIB${n}`,
      name: options.name ?? `Library ${n}`,
      serves_other_institutions: options.servesOtherInstitutions ?? true,
    })
    .returning(['id', 'code', 'institution_id'])
    .executeTakeFirstOrThrow();
  return { id: row.id, code: row.code, institutionId: row.institution_id };
}

export async function buildDesk(
  db: Db,
  options: { library?: LibraryRef; institution?: InstitutionRef; code?: string } = {},
) {
  const library = options.library ?? (await buildLibrary(db, { institution: options.institution }));
  const n = next();
  return db
    .insertInto('circulation_desks')
    .values({
      institution_id: library.institutionId,
      library_id: library.id,
      code: options.code ?? `DESK${n}`,
      name: `Desk ${n}`,
    })
    .returning(['id', 'code', 'library_id', 'institution_id'])
    .executeTakeFirstOrThrow();
}

export async function buildUserGroup(db: Db, options: { institution?: InstitutionRef; code?: string } = {}) {
  const institution = options.institution ?? (await buildInstitution(db));
  const n = next();
  return db
    .insertInto('user_groups')
    .values({ institution_id: institution.id, code: options.code ?? `GROUP${n}`, name: `Group ${n}` })
    .returning(['id', 'code', 'institution_id'])
    .executeTakeFirstOrThrow();
}

export interface StaffRef {
  id: string;
  username: string;
  institutionId: string;
}

/** A staff member of the institution holding the given roles there (or on a network). */
export async function buildStaff(
  db: Db,
  options: {
    institution?: InstitutionRef;
    username?: string;
    roles?: Role[];
    networkId?: string;
    libraryId?: string;
  } = {},
): Promise<StaffRef> {
  const institution = options.institution ?? (await buildInstitution(db));
  const n = next();
  const row = await db
    .insertInto('staff')
    .values({
      institution_id: institution.id,
      username: options.username ?? `staff${n}`,
      name: `Staff member ${n}`,
      password_hash: await testPasswordHash(),
    })
    .returning(['id', 'username', 'institution_id'])
    .executeTakeFirstOrThrow();
  for (const role of options.roles ?? []) {
    await db
      .insertInto('role_assignments')
      .values(
        role === 'network_administrator'
          ? { staff_id: row.id, role, network_id: options.networkId ?? null }
          : { staff_id: row.id, role, institution_id: institution.id, library_id: options.libraryId ?? null },
      )
      .execute();
  }
  return { id: row.id, username: row.username, institutionId: row.institution_id };
}

export async function buildPatron(
  db: Db,
  options: { institution?: InstitutionRef; identifier?: string; lastName?: string; password?: string } = {},
) {
  const institution = options.institution ?? (await buildInstitution(db));
  const group = await buildUserGroup(db, { institution });
  const n = next();
  const primaryIdentifier = options.identifier ?? `P${n}`;
  const lastName = options.lastName ?? `Patron ${n}`;
  return db
    .insertInto('patrons')
    .values({
      institution_id: institution.id,
      primary_identifier: primaryIdentifier,
      first_name: 'Pat',
      last_name: lastName,
      search_text: buildSearchText({ lastName, firstName: 'Pat', primaryIdentifier }),
      user_group_id: group.id,
      password_hash: options.password ? await hashPassword(options.password) : await testPasswordHash(),
    })
    .returning(['id', 'primary_identifier', 'institution_id'])
    .executeTakeFirstOrThrow();
}

export async function buildNetwork(db: Db, options: { code?: string; members?: InstitutionRef[] } = {}) {
  const n = next();
  const network = await db
    .insertInto('networks')
    .values({ code: options.code ?? `NET${n}`, name: `Network ${n}` })
    .returning(['id', 'code'])
    .executeTakeFirstOrThrow();
  for (const member of options.members ?? []) {
    await db
      .insertInto('network_members')
      .values({ network_id: network.id, institution_id: member.id })
      .execute();
  }
  return network;
}
