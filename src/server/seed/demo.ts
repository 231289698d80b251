import { sql } from 'kysely';
import { hashPassword } from '../auth/passwords.ts';
import type { INSTITUTION_ROLES } from '../auth/privileges.ts';
import type { Db } from '../db/database.ts';
import { seedDemoCatalogue } from './demo-catalogue.ts';
import { seedDemoPatrons } from './demo-patrons.ts';

/** The password of every demo account (README, "Demo sign-ins"). */
export const DEMO_PASSWORD = 'shelfshare-demo';

/** Short names used in demo usernames: `north-desk-manager`, `south-sysadmin`, ... */
export const DEMO_ROLE_USERNAMES: Record<(typeof INSTITUTION_ROLES)[number], string> = {
  circulation_desk_manager: 'desk-manager',
  circulation_desk_operator: 'desk-operator',
  circulation_desk_operator_limited: 'desk-limited',
  user_manager: 'user-manager',
  user_administrator: 'user-admin',
  fulfillment_administrator: 'fulfillment-admin',
  general_system_administrator: 'sysadmin',
};

interface DemoLibrary {
  code: string;
  name: string;
  timeZone?: string;
  servesOtherInstitutions: boolean;
  address: string;
  sundayOpen?: boolean;
}

interface DemoInstitution {
  code: string;
  name: string;
  timeZone: string;
  currency: string;
  address: string;
  email: string;
  libraries: DemoLibrary[];
  /** Days closed beyond the shared winter holidays. */
  closedDays: { day: string; reason: string }[];
  terms: {
    standardDays: number;
    renewals: number;
    finePerDayMinor: number;
    fineMaxMinor: number;
    replacementMinor: number;
    processingMinor: number;
    holdShelfDays: number;
    pickup: 'own_library' | 'any_library' | 'any_institution';
  };
  patrons: { id: string; first: string; last: string; group: string }[];
}

/**
 * Three members with different time zones, currencies and terms, so that the network rules
 * (whose calendar, whose fines, whose letters) show in the demo.
 */
export const DEMO_INSTITUTIONS: DemoInstitution[] = [
  {
    code: 'NORTH',
    name: 'North University',
    timeZone: 'America/Toronto',
    currency: 'CAD',
    address: '1 College Street, Toronto',
    email: 'library@north.example',
    libraries: [
      {
        code: 'MAIN',
        name: 'North Main Library',
        servesOtherInstitutions: true,
        address: '1 College Street, Toronto',
        sundayOpen: true,
      },
      {
        code: 'SCI',
        name: 'North Science Library',
        servesOtherInstitutions: true,
        address: '40 St George Street, Toronto',
      },
      {
        code: 'LAW',
        name: 'North Law Library',
        servesOtherInstitutions: false,
        address: '78 Queens Park, Toronto',
      },
    ],
    closedDays: [{ day: '2027-02-15', reason: 'Family Day' }],
    terms: {
      standardDays: 28,
      renewals: 3,
      finePerDayMinor: 25,
      fineMaxMinor: 1000,
      replacementMinor: 9000,
      processingMinor: 1500,
      holdShelfDays: 7,
      pickup: 'any_institution',
    },
    patrons: [
      { id: 'N0001', first: 'Amara', last: 'Okafor', group: 'UNDERGRAD' },
      { id: 'N0002', first: 'Liam', last: 'Tremblay', group: 'GRAD' },
      { id: 'N0003', first: 'Sofia', last: 'Marchetti', group: 'FACULTY' },
    ],
  },
  {
    code: 'SOUTH',
    name: 'South College',
    timeZone: 'America/Chicago',
    currency: 'USD',
    address: '200 Magnolia Avenue, New Orleans',
    email: 'circulation@south.example',
    libraries: [
      {
        code: 'MAIN',
        name: 'South Central Library',
        servesOtherInstitutions: true,
        address: '200 Magnolia Avenue, New Orleans',
      },
      {
        code: 'MUSIC',
        name: 'South Music Library',
        servesOtherInstitutions: true,
        address: '12 Jazz Lane, New Orleans',
      },
      {
        code: 'MED',
        name: 'South Medical Library',
        servesOtherInstitutions: false,
        address: '5 Bayou Road, New Orleans',
      },
    ],
    closedDays: [{ day: '2027-02-09', reason: 'Mardi Gras' }],
    terms: {
      standardDays: 21,
      renewals: 2,
      finePerDayMinor: 50,
      fineMaxMinor: 2000,
      replacementMinor: 7500,
      processingMinor: 1000,
      holdShelfDays: 5,
      pickup: 'any_institution',
    },
    patrons: [
      { id: 'S0001', first: 'Marcus', last: 'Boudreaux', group: 'UNDERGRAD' },
      { id: 'S0002', first: 'Keisha', last: 'Landry', group: 'GRAD' },
      { id: 'S0003', first: 'Hiroshi', last: 'Tanaka', group: 'FACULTY' },
    ],
  },
  {
    code: 'EAST',
    name: 'East Institute',
    timeZone: 'Europe/London',
    currency: 'GBP',
    address: '9 Quayside, Newcastle upon Tyne',
    email: 'library@east.example',
    libraries: [
      {
        code: 'MAIN',
        name: 'East Institute Library',
        servesOtherInstitutions: true,
        address: '9 Quayside, Newcastle upon Tyne',
      },
      {
        code: 'ENG',
        name: 'East Engineering Library',
        servesOtherInstitutions: true,
        address: '3 Forth Banks, Newcastle upon Tyne',
      },
      {
        code: 'ARTS',
        name: 'East Arts Library',
        timeZone: 'Europe/Dublin',
        servesOtherInstitutions: false,
        address: '21 Harbour Road, Dublin',
      },
    ],
    closedDays: [{ day: '2027-04-02', reason: 'Good Friday' }],
    terms: {
      standardDays: 14,
      renewals: 5,
      finePerDayMinor: 20,
      fineMaxMinor: 800,
      replacementMinor: 6000,
      processingMinor: 1200,
      holdShelfDays: 10,
      pickup: 'any_library',
    },
    patrons: [
      { id: 'E0001', first: 'Niamh', last: "O'Connell", group: 'UNDERGRAD' },
      { id: 'E0002', first: 'Oluwaseun', last: 'Adeyemi', group: 'GRAD' },
      { id: 'E0003', first: 'Zoë', last: 'Lindqvist', group: 'FACULTY' },
    ],
  },
];

const SHARED_CLOSED_DAYS = [
  { day: '2026-12-25', reason: 'Christmas Day' },
  { day: '2026-12-26', reason: 'Boxing Day' },
  { day: '2027-01-01', reason: "New Year's Day" },
];

const USER_GROUPS = [
  ['UNDERGRAD', 'Undergraduate'],
  ['GRAD', 'Graduate student'],
  ['FACULTY', 'Faculty'],
  ['STAFF', 'Staff'],
  ['GUEST', 'Guest (anonymous discovery visitor)'],
  ['NETWORK', 'Network patron (linked account)'],
] as const;

/**
 * Seeds the demo network when the database has no institution yet. Returns whether it
 * seeded. One transaction under an advisory lock, so two processes starting at once seed once.
 */
export async function seedDemoNetworkIfEmpty(db: Db): Promise<boolean> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(7210002)`.execute(trx);
    const existing = await trx.selectFrom('institutions').select('id').limit(1).executeTakeFirst();
    if (existing) return false;

    const network = await trx
      .insertInto('networks')
      .values({ code: 'TRI', name: 'Tri-Campus Fulfillment Network' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const libraryIds: { institutionCode: string; libraryId: string }[] = [];
    const institutionIds: Record<string, string> = {};

    for (const demo of DEMO_INSTITUTIONS) {
      const institution = await trx
        .insertInto('institutions')
        .values({
          code: demo.code,
          name: demo.name,
          time_zone: demo.timeZone,
          currency: demo.currency,
          address: demo.address,
          email: demo.email,
          cross_consortia_ids_enabled: true,
          discovery_exposure: demo.code === 'EAST' ? 'holdings' : 'request',
          remote_registration_mode: demo.code === 'SOUTH' ? 'auto' : 'manual',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const institutionId = institution.id;
      institutionIds[demo.code] = institutionId;
      await trx
        .insertInto('network_members')
        .values({ network_id: network.id, institution_id: institutionId })
        .execute();

      const groups: Record<string, string> = {};
      for (const [code, name] of USER_GROUPS) {
        const row = await trx
          .insertInto('user_groups')
          .values({ institution_id: institutionId, code, name })
          .returning('id')
          .executeTakeFirstOrThrow();
        groups[code] = row.id;
      }
      await trx
        .updateTable('institutions')
        .set({ guest_user_group_id: groups.GUEST ?? null })
        .where('id', '=', institutionId)
        .execute();

      const policies: Record<string, string> = {};
      for (const [code, name] of [
        ['REGULAR', 'Regular loan'],
        ['SHORT', 'Short loan'],
        ['NONCIRC', 'Reference (not for loan)'],
      ] as const) {
        const row = await trx
          .insertInto('item_policies')
          .values({ institution_id: institutionId, code, name })
          .returning('id')
          .executeTakeFirstOrThrow();
        policies[code] = row.id;
      }
      const materials: Record<string, string> = {};
      for (const [code, name] of [
        ['BOOK', 'Book'],
        ['DVD', 'DVD'],
        ['SERIAL', 'Serial issue'],
        ['SCORE', 'Music score'],
      ] as const) {
        const row = await trx
          .insertInto('material_types')
          .values({ institution_id: institutionId, code, name })
          .returning('id')
          .executeTakeFirstOrThrow();
        materials[code] = row.id;
      }

      const t = demo.terms;
      const terms = await trx
        .insertInto('terms_of_use')
        .values([
          {
            institution_id: institutionId,
            code: 'STANDARD',
            name: `Standard loan (${t.standardDays} days)`,
            loan_period: t.standardDays,
            renewals_allowed: t.renewals,
            renewal_period: t.standardDays,
            overdue_fine_per_day_minor: t.finePerDayMinor,
            overdue_grace_days: 1,
            overdue_fine_max_minor: t.fineMaxMinor,
            days_overdue_until_lost: 42,
            lost_replacement_fee_minor: t.replacementMinor,
            lost_processing_fee_minor: t.processingMinor,
            hold_shelf_days: t.holdShelfDays,
            pickup_location_policy: t.pickup,
          },
          {
            institution_id: institutionId,
            code: 'FACULTY',
            name: 'Faculty loan (120 days)',
            loan_period: 120,
            renewals_allowed: t.renewals,
            renewal_period: 120,
            overdue_fine_per_day_minor: 0,
            days_overdue_until_lost: 60,
            lost_replacement_fee_minor: t.replacementMinor,
            lost_processing_fee_minor: t.processingMinor,
            hold_shelf_days: t.holdShelfDays,
            pickup_location_policy: t.pickup,
          },
          {
            institution_id: institutionId,
            code: 'SHORT',
            name: 'Short loan (4 hours)',
            loan_period_unit: 'hours',
            loan_period: 4,
            renewals_allowed: 1,
            renewal_period: 4,
            overdue_fine_per_day_minor: t.finePerDayMinor * 4,
            overdue_fine_max_minor: t.fineMaxMinor,
            days_overdue_until_lost: 14,
            lost_replacement_fee_minor: t.replacementMinor,
            lost_processing_fee_minor: t.processingMinor,
            hold_shelf_days: 2,
            requests_allowed: false,
            pickup_location_policy: 'own_library',
          },
          {
            institution_id: institutionId,
            code: 'NONCIRC',
            name: 'Not for loan',
            loanable: false,
            requests_allowed: false,
            pickup_location_policy: 'own_library',
          },
        ])
        .returning(['id', 'code'])
        .execute();
      const termsId = (code: string) => terms.find((r) => r.code === code)?.id as string;
      await trx
        .insertInto('terms_of_use_rules')
        .values([
          {
            institution_id: institutionId,
            priority: 10,
            item_policy_id: policies.NONCIRC,
            terms_of_use_id: termsId('NONCIRC'),
          },
          {
            institution_id: institutionId,
            priority: 20,
            item_policy_id: policies.SHORT,
            terms_of_use_id: termsId('SHORT'),
          },
          {
            institution_id: institutionId,
            priority: 30,
            user_group_id: groups.FACULTY,
            terms_of_use_id: termsId('FACULTY'),
          },
          {
            institution_id: institutionId,
            priority: 1000,
            is_fallback: true,
            terms_of_use_id: termsId('STANDARD'),
          },
        ])
        .execute();
      await trx
        .insertInto('loan_limits')
        .values([
          { institution_id: institutionId, user_group_id: groups.UNDERGRAD, max_loans: 30 },
          { institution_id: institutionId, user_group_id: groups.GRAD, max_loans: 50 },
          {
            institution_id: institutionId,
            user_group_id: groups.UNDERGRAD,
            material_type_id: materials.DVD,
            max_loans: 5,
          },
          { institution_id: institutionId, scope: 'network', max_loans: 100 },
        ])
        .execute();
      await trx
        .insertInto('linked_account_rules')
        .values({
          institution_id: institutionId,
          user_group_id: groups.NETWORK as string,
          expiry_mode: 'relative',
          expiry_relative_days: 365,
          purge_days_after_expiry: 90,
          recalculate_on_refresh: true,
          is_default: true,
        })
        .execute();

      for (const lib of demo.libraries) {
        const library = await trx
          .insertInto('libraries')
          .values({
            institution_id: institutionId,
            code: lib.code,
            name: lib.name,
            time_zone: lib.timeZone ?? null,
            serves_other_institutions: lib.servesOtherInstitutions,
            address: lib.address,
            email: `${lib.code.toLowerCase()}@${demo.code.toLowerCase()}.example`,
            phone: '+1 555 0100',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        libraryIds.push({ institutionCode: demo.code, libraryId: library.id });
        const hours = [1, 2, 3, 4, 5].map((weekday) => ({
          library_id: library.id,
          weekday,
          opens: '08:00',
          closes: '20:00',
        }));
        hours.push({ library_id: library.id, weekday: 6, opens: '10:00', closes: '16:00' });
        if (lib.sundayOpen)
          hours.push({ library_id: library.id, weekday: 7, opens: '12:00', closes: '17:00' });
        await trx.insertInto('library_opening_hours').values(hours).execute();
        await trx
          .insertInto('library_closed_days')
          .values([...SHARED_CLOSED_DAYS, ...demo.closedDays].map((d) => ({ library_id: library.id, ...d })))
          .execute();
        const desks = [{ code: 'CIRC', name: `${lib.name} circulation desk` }];
        if (lib.code === 'MAIN') desks.push({ code: 'RETURNS', name: `${lib.name} returns desk` });
        await trx
          .insertInto('circulation_desks')
          .values(desks.map((d) => ({ institution_id: institutionId, library_id: library.id, ...d })))
          .execute();
        await trx
          .insertInto('locations')
          .values(
            [
              ['STACKS', 'Stacks'],
              ['REF', 'Reference'],
              ['RESERVE', 'Course reserve'],
            ].map(([code, name]) => ({
              institution_id: institutionId,
              library_id: library.id,
              code: code as string,
              name: `${lib.name.replace(/^\w+ /, '')} ${name}`,
            })),
          )
          .execute();
      }

      for (const [role, suffix] of Object.entries(DEMO_ROLE_USERNAMES)) {
        const staff = await trx
          .insertInto('staff')
          .values({
            institution_id: institutionId,
            username: `${demo.code.toLowerCase()}-${suffix}`,
            name: `${demo.name} ${suffix.replace(/-/g, ' ')}`,
            email: `${suffix}@${demo.code.toLowerCase()}.example`,
            password_hash: passwordHash,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('role_assignments')
          .values({ staff_id: staff.id, role, institution_id: institutionId })
          .execute();
      }

      for (const p of demo.patrons) {
        await trx
          .insertInto('patrons')
          .values({
            institution_id: institutionId,
            primary_identifier: p.id,
            first_name: p.first,
            last_name: p.last,
            user_group_id: groups[p.group] as string,
            email: `${p.id.toLowerCase()}@${demo.code.toLowerCase()}.example`,
            expiry_date: '2028-06-30',
            password_hash: passwordHash,
          })
          .execute();
      }
      // PAT-1: a few hundred more patrons in several groups, some blocked or expired.
      await seedDemoPatrons(trx, { id: institutionId, code: demo.code }, groups);
    }

    // NET-6 transit times: a day within an institution, two or three between members.
    const values = [];
    for (const from of libraryIds) {
      for (const to of libraryIds) {
        if (from.libraryId === to.libraryId) continue;
        const days =
          from.institutionCode === to.institutionCode
            ? 1
            : from.institutionCode === 'EAST' || to.institutionCode === 'EAST'
              ? 3
              : 2;
        values.push({ from_library_id: from.libraryId, to_library_id: to.libraryId, days });
      }
    }
    await trx.insertInto('transit_times').values(values).execute();

    // NET-3: defaults allow everything; East keeps its items for its own walk-in patrons and South's.
    await trx
      .insertInto('network_relations')
      .values({
        network_id: network.id,
        owner_institution_id: institutionIds.EAST as string,
        other_institution_id: institutionIds.NORTH as string,
        walk_in_loans: false,
        pickup: true,
        return_anywhere: true,
      })
      .execute();

    // The network administrator works at North.
    const networkAdmin = await trx
      .insertInto('staff')
      .values({
        institution_id: institutionIds.NORTH as string,
        username: 'network-admin',
        name: 'Network administrator',
        email: 'network@north.example',
        password_hash: passwordHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('role_assignments')
      .values({ staff_id: networkAdmin.id, role: 'network_administrator', network_id: network.id })
      .execute();
    return true;
  });
}

/**
 * The whole demo: the network (institutions, staff, patrons) and then its catalogue, from the
 * permissively licensed MARC files in demo/marc/. Each part does nothing when already there.
 */
export async function seedDemo(db: Db): Promise<boolean> {
  const seeded = await seedDemoNetworkIfEmpty(db);
  await seedDemoCatalogue(db);
  return seeded;
}
