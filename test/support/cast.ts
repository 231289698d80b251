import { INSTITUTION_ROLES, type Role } from '../../src/server/auth/privileges.ts';
import type { Db } from '../../src/server/db/database.ts';
import {
  buildInstitution,
  buildLibrary,
  buildNetwork,
  buildStaff,
  type InstitutionRef,
  type LibraryRef,
  type StaffRef,
} from './factories.ts';

export interface Member {
  institution: InstitutionRef;
  main: LibraryRef;
  branch: LibraryRef;
  /** One staff member per institution role, by role name. */
  staff: Record<Exclude<Role, 'network_administrator'>, StaffRef>;
}

export interface Cast {
  network: { id: string; code: string };
  north: Member;
  south: Member;
  east: Member;
  networkAdmin: StaffRef;
}

async function buildMember(
  db: Db,
  code: string,
  name: string,
  timeZone: string,
  currency: string,
): Promise<Member> {
  const institution = await buildInstitution(db, { code, name, timeZone, currency });
  const main = await buildLibrary(db, { institution, code: 'MAIN', name: `${name} Main Library` });
  const branch = await buildLibrary(db, {
    institution,
    code: 'BRANCH',
    name: `${name} Branch Library`,
    servesOtherInstitutions: false,
  });
  const staff = {} as Member['staff'];
  for (const role of INSTITUTION_ROLES) {
    staff[role] = await buildStaff(db, {
      institution,
      roles: [role],
      username: `${code.toLowerCase()}-${role.replace(/_/g, '-')}`,
    });
  }
  return { institution, main, branch, staff };
}

/**
 * The named cast of product.md's scenarios: North University, South College and East
 * Institute in one network, each with a main and a branch library and one staff member per
 * role, and a network administrator working at North.
 */
export async function createCast(db: Db): Promise<Cast> {
  const north = await buildMember(db, 'NORTH', 'North University', 'America/Toronto', 'CAD');
  const south = await buildMember(db, 'SOUTH', 'South College', 'America/Chicago', 'USD');
  const east = await buildMember(db, 'EAST', 'East Institute', 'Europe/London', 'GBP');
  const network = await buildNetwork(db, {
    code: 'TRI',
    members: [north.institution, south.institution, east.institution],
  });
  const networkAdmin = await buildStaff(db, {
    institution: north.institution,
    username: 'network-admin',
    roles: ['network_administrator'],
    networkId: network.id,
  });
  return { network, north, south, east, networkAdmin };
}
