import { describe, expect, it } from 'vitest';
import { type Actor, authorize, can, type StaffActor } from './authorize.ts';
import type { RoleAssignment } from './privileges.ts';

const NORTH = 'north-id';
const SOUTH = 'south-id';
const SCIENCE = 'north-science-library';
const LAW = 'north-law-library';

function staff(assignments: Partial<RoleAssignment>[]): StaffActor {
  return {
    kind: 'staff',
    staffId: 's1',
    username: 'someone',
    name: 'Someone',
    homeInstitutionId: NORTH,
    via: 'session',
    sessionTokenHash: 'h',
    deskId: null,
    assignments: assignments.map((a) => ({
      role: 'circulation_desk_operator',
      institutionId: null,
      libraryId: null,
      deskId: null,
      networkId: null,
      ...a,
    })),
  };
}

describe('can (the one authorization rule)', () => {
  it('grants a privilege of the role at its institution only', () => {
    const operator = staff([{ role: 'circulation_desk_operator', institutionId: NORTH }]);
    expect(can(operator, 'circulation.desk', { institutionId: NORTH })).toBe(true);
    expect(can(operator, 'circulation.desk', { institutionId: SOUTH })).toBe(false);
    expect(can(operator, 'circulation.override', { institutionId: NORTH })).toBe(false);
  });

  it('limits a library-scoped role to that library', () => {
    const scienceOperator = staff([
      { role: 'circulation_desk_operator', institutionId: NORTH, libraryId: SCIENCE },
    ]);
    expect(can(scienceOperator, 'circulation.desk', { institutionId: NORTH, libraryId: SCIENCE })).toBe(true);
    expect(can(scienceOperator, 'circulation.desk', { institutionId: NORTH, libraryId: LAW })).toBe(false);
    expect(can(scienceOperator, 'circulation.desk', { institutionId: NORTH })).toBe(false);
  });

  it('limits a desk-scoped role to that desk', () => {
    const deskOnly = staff([
      { role: 'circulation_desk_manager', institutionId: NORTH, libraryId: SCIENCE, deskId: 'd1' },
    ]);
    expect(
      can(deskOnly, 'circulation.override', { institutionId: NORTH, libraryId: SCIENCE, deskId: 'd1' }),
    ).toBe(true);
    expect(
      can(deskOnly, 'circulation.override', { institutionId: NORTH, libraryId: SCIENCE, deskId: 'd2' }),
    ).toBe(false);
  });

  it('grants network.manage only on the administered network', () => {
    const admin = staff([{ role: 'network_administrator', networkId: 'tri' }]);
    expect(can(admin, 'network.manage', { networkId: 'tri' })).toBe(true);
    expect(can(admin, 'network.manage', { networkId: 'other' })).toBe(false);
    expect(can(admin, 'config.read', { institutionId: NORTH })).toBe(false);
  });

  it('adds up the privileges of several roles (NA-2: consortial services)', () => {
    const both = staff([
      { role: 'fulfillment_administrator', institutionId: NORTH },
      { role: 'user_manager', institutionId: NORTH },
    ]);
    expect(can(both, 'config.fulfillment.manage', { institutionId: NORTH })).toBe(true);
    expect(can(both, 'consortial.services', { institutionId: NORTH })).toBe(true);
    expect(
      can(staff([{ role: 'fulfillment_administrator', institutionId: NORTH }]), 'consortial.services', {
        institutionId: NORTH,
      }),
    ).toBe(false);
  });

  it('grants nothing to patrons or to nobody', () => {
    const patron: Actor = {
      kind: 'patron',
      patronId: 'p',
      name: 'P',
      institutionId: NORTH,
      sessionTokenHash: 'h',
    };
    expect(can(patron, 'config.read', { institutionId: NORTH })).toBe(false);
    expect(can(null, 'config.read', { institutionId: NORTH })).toBe(false);
  });
});

describe('authorize', () => {
  it('throws 401 without an actor and 403 without the privilege', () => {
    expect(() => authorize(null, 'config.read', { institutionId: NORTH })).toThrow(
      expect.objectContaining({ kind: 'unauthenticated' }),
    );
    const operator = staff([{ role: 'circulation_desk_operator', institutionId: NORTH }]);
    expect(() => authorize(operator, 'staff.manage', { institutionId: NORTH })).toThrow(
      expect.objectContaining({ kind: 'forbidden', code: 'FORBIDDEN' }),
    );
    expect(authorize(operator, 'config.read', { institutionId: NORTH })).toBe(operator);
  });
});
