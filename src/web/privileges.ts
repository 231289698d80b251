/**
 * Words for the privilege codes the session's abilities carry. The UI only shows them; the
 * server decides what each privilege allows (conventions.md, "Authorization in one place").
 * An unknown code is shown as it is.
 */
const PRIVILEGE_LABELS: Record<string, string> = {
  'config.read': 'Read the institution configuration',
  'config.institution.manage': 'Manage libraries, desks, locations and calendars',
  'config.fulfillment.manage': 'Manage user groups, terms of use and loan rules',
  'staff.manage': 'Manage staff accounts and roles',
  'audit.read': 'Read the configuration audit trail',
  'circulation.desk': 'Lend, renew, return and scan in at a desk',
  'circulation.override': 'Override loan refusals',
  'patrons.read': 'Look up patron records',
  'patrons.manage': 'Create and edit patron records',
  'consortial.services': 'See network activity (consortial services)',
  'network.manage': 'Manage network membership and relations',
};

export function privilegeLabel(code: string): string {
  return PRIVILEGE_LABELS[code] ?? code;
}
