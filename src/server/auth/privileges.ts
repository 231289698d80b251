/**
 * Roles and privileges: the one table of the system (conventions.md, "Authorization in one
 * place"). Every check goes through `authorize()` in authorize.ts, which reads this table;
 * the UI receives the result as the session's abilities and never re-implements it.
 */
export const ROLES = [
  'circulation_desk_manager',
  'circulation_desk_operator',
  'circulation_desk_operator_limited',
  'user_manager',
  'user_administrator',
  'fulfillment_administrator',
  'general_system_administrator',
  'network_administrator',
] as const;
export type Role = (typeof ROLES)[number];

export const INSTITUTION_ROLES = ROLES.filter((r) => r !== 'network_administrator');

export const PRIVILEGES = [
  /** Read the institution's configuration (libraries, desks, policies...). */
  'config.read',
  /** Libraries, desks, locations, calendars, library relations, transit times, network settings (NET-1, NET-4..6). */
  'config.institution.manage',
  /** User groups, terms of use and their rules, loan limits, linked-account rules, item policies, material types (CIRC-2, PAT-4). */
  'config.fulfillment.manage',
  /** Staff accounts, role assignments and API tokens of the institution. */
  'staff.manage',
  /** The configuration audit trail (NET-7). */
  'audit.read',
  /** Lend, renew, return and scan in at a desk (CIRC-4..6). */
  'circulation.desk',
  /** Override overridable loan refusals (CIRC-4). */
  'circulation.override',
  /** Take payments, waive and refund fees (CIRC-11); not for the limited desk operator. */
  'fees.manage',
  /** Read bibliographic records, holdings and items, and an item's state (CIRC-1). */
  'inventory.read',
  /** Create, change and withdraw bibliographic records, holdings and items; import MARC. */
  'inventory.manage',
  /** Look up and read patron records. */
  'patrons.read',
  /** Create, edit, block and expire patron records (PAT-1). */
  'patrons.manage',
  /** The consortial-services privilege: the Network Activity tab (NA-2). */
  'consortial.services',
  /** Network membership and relations of a network (NET-2, NET-3); network scoped. */
  'network.manage',
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * Which privileges each role carries. NA-2 names the five roles with the
 * consortial-services privilege.
 */
export const ROLE_PRIVILEGES: Record<Role, readonly Privilege[]> = {
  circulation_desk_manager: [
    'config.read',
    'inventory.read',
    'inventory.manage',
    'circulation.desk',
    'circulation.override',
    'fees.manage',
    'patrons.read',
    'patrons.manage',
    'consortial.services',
  ],
  circulation_desk_operator: [
    'config.read',
    'inventory.read',
    'circulation.desk',
    'fees.manage',
    'patrons.read',
    'consortial.services',
  ],
  circulation_desk_operator_limited: [
    'config.read',
    'inventory.read',
    'circulation.desk',
    'patrons.read',
    'consortial.services',
  ],
  user_manager: ['config.read', 'inventory.read', 'patrons.read', 'patrons.manage', 'consortial.services'],
  user_administrator: [
    'config.read',
    'inventory.read',
    'patrons.read',
    'patrons.manage',
    'staff.manage',
    'consortial.services',
  ],
  fulfillment_administrator: ['config.read', 'inventory.read', 'config.fulfillment.manage', 'audit.read'],
  general_system_administrator: [
    'config.read',
    'inventory.read',
    'inventory.manage',
    'config.institution.manage',
    'config.fulfillment.manage',
    'staff.manage',
    'audit.read',
    'patrons.read',
  ],
  network_administrator: ['network.manage'],
};

export interface RoleAssignment {
  role: Role;
  institutionId: string | null;
  libraryId: string | null;
  deskId: string | null;
  networkId: string | null;
}

/** Reads that a role limited to one library still makes institution-wide. */
export const INSTITUTION_WIDE_READS: ReadonlySet<Privilege> = new Set<Privilege>([
  'config.read',
  'inventory.read',
  'patrons.read',
]);

/** Privileges over configuration and accounts: only their holders may grant roles carrying them. */
export const ADMINISTRATIVE_PRIVILEGES: ReadonlySet<Privilege> = new Set<Privilege>([
  'config.institution.manage',
  'config.fulfillment.manage',
  'staff.manage',
  'audit.read',
  'network.manage',
]);
