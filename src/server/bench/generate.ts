import { sql } from 'kysely';
import { hashPassword } from '../auth/passwords.ts';
import type { Db } from '../db/database.ts';

/**
 * The synthetic consortium of the benchmarks (issue 8): institutions with libraries, desks,
 * locations, calendars, terms of use with a fallback rule, loan limits and a desk operator;
 * works shared across institutions (bibliographic records with one holding each), items,
 * patrons (some blocked or expired), active loans (a few overdue, and a few patrons with 200
 * loans each), item-level holds on loaned copies, items in transit home and open fees.
 *
 * Everything is written by set-based INSERT ... SELECT FROM generate_series statements, so the
 * rows never travel through Node.js: that is what makes a million items take minutes rather
 * than hours. "Randomness" is a seeded hash of the row number (`hashint8extended`) and every id
 * is a UUID derived from the seed, the table and the row number (md5), so the same seed and the
 * same `now` give the same rows on every run, and a row's references are computed by formula
 * instead of being looked up. Rows are valid for the circulation engine and hold the INV checks
 * (test/api/bench-generate.test.ts).
 */

export interface GenerateOptions {
  institutions: number;
  items: number;
  patrons: number;
  /** Active loans; at most the number of items. */
  loans: number;
  seed?: number;
  /** The generation's clock: loans are dated back from it (default: the real clock). */
  now?: Date;
  /** Patrons with exactly 200 active loans (the first patron of the first institutions). */
  heavyBorrowers?: number;
  /** Rows per INSERT statement (one statement is one transaction). */
  chunkSize?: number;
  onProgress?: (progress: GenerateProgress) => void;
}

export interface GenerateProgress {
  step: string;
  done: number;
  total: number;
}

export interface GenerateSummary {
  seed: number;
  institutions: number;
  libraries: number;
  works: number;
  bibRecords: number;
  items: number;
  patrons: number;
  loans: number;
  requests: number;
  transits: number;
  fees: number;
  heavyBorrowers: { institutionId: string; patronId: string; loans: number }[];
  seconds: number;
}

/** The password of the generated desk operators, `bench-desk-<code>` (not secret: bench data only). */
export const BENCH_PASSWORD = 'shelfshare-bench';
/** Network code of the generated consortium. */
export const BENCH_NETWORK_CODE = 'BENCH';
/** Libraries per institution; the first is the main library. */
export const LIBRARIES_PER_INSTITUTION = 3;
/** Loans of each heavy borrower: the "patron's loans list with 200 loans" scenario. */
export const HEAVY_BORROWER_LOANS = 200;

const TIME_ZONES = ['America/Toronto', 'America/Chicago', 'Europe/London', 'America/Los_Angeles'];
const CURRENCIES = ['CAD', 'USD', 'GBP', 'USD'];
const FIRST_NAMES = [
  'Amara', 'Liam', 'Sofia', 'Marcus', 'Keisha', 'Hiroshi', 'Niamh', 'Oluwaseun', 'Zoe', 'Mateo',
  'Aisha', 'Noah', 'Ingrid', 'Ravi', 'Chen', 'Fatima', 'Lucas', 'Ama', 'Elif', 'Jonas',
  'Priya', 'Tomas', 'Yuki', 'Omar', 'Lena', 'Diego', 'Nora', 'Kwame', 'Sara', 'Ivan',
]; // biome-ignore format: a list
const LAST_NAMES = [
  'Okafor', 'Tremblay', 'Marchetti', 'Boudreaux', 'Landry', 'Tanaka', 'Connell', 'Adeyemi', 'Lindqvist',
  'Garcia', 'Nguyen', 'Kowalski', 'Haddad', 'Schmidt', 'Rossi', 'Silva', 'Kim', 'Patel', 'Novak',
  'Dubois', 'Mensah', 'Larsen', 'Ivanova', 'Hughes', 'Moreau', 'Sato', 'Costa', 'Ahmed', 'Berg', 'Walsh',
]; // biome-ignore format: a list
const SYLLABLES = [
  'ka', 'lo', 'mi', 'ren', 'tor', 'shi', 'va', 'nel', 'dor', 'pa',
  'qui', 'ste', 'lum', 'bri', 'cha', 'fo', 'gan', 'hes', 'ix', 'jor',
]; // biome-ignore format: a list

/** The catalogue's words: pseudo-words made of three syllables, the same list on every run. */
export function benchVocabulary(size = 3000): string[] {
  const n = SYLLABLES.length;
  return Array.from({ length: size }, (_, k) => {
    const a = SYLLABLES[k % n] as string;
    const b = SYLLABLES[Math.floor(k / n) % n] as string;
    const c = SYLLABLES[Math.floor(k / (n * n)) % n] as string;
    return `${a}${b}${c}`;
  });
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r, oldS, s] = [a, m, 1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arrayLit = (values: string[]) => `ARRAY[${values.map(lit).join(',')}]::text[]`;

function checkOptions(o: GenerateOptions) {
  const positive = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min)
      throw new Error(`--${name} must be a whole number of at least ${min}`);
  };
  positive('institutions', o.institutions, 1);
  positive('items', o.items, 1);
  positive('patrons', o.patrons, o.institutions);
  positive('loans', o.loans, 0);
  if (o.institutions > 9999) throw new Error('--institutions must be at most 9999');
  if (o.loans > o.items) throw new Error('--loans cannot exceed --items');
  if (o.seed !== undefined) positive('seed', o.seed, 0);
}

/**
 * Generates the network into an empty, migrated database (refuses a database that has
 * institutions already). Returns what was made.
 */
export async function generateNetwork(db: Db, options: GenerateOptions): Promise<GenerateSummary> {
  checkOptions(options);
  const started = Date.now();
  const seed = options.seed ?? 1;
  const now = (options.now ?? new Date()).toISOString();
  const N = options.institutions;
  const M = options.items;
  const P = options.patrons;
  const L = options.loans;
  const LPI = LIBRARIES_PER_INSTITUTION;
  // About two copies per bibliographic record and 2.5 member records per work.
  const B = Math.max(1, Math.ceil(M / 2));
  const W = Math.max(1, Math.ceil(B / 2.5));
  const H = Math.min(options.heavyBorrowers ?? Math.min(N, 10), N);
  const chunk = options.chunkSize ?? 50_000;
  const report = (step: string, done: number, total: number) => options.onProgress?.({ step, done, total });

  // Loans take the items l*A mod M for l < L: a bijection of 0..M-1 when gcd(A, M) = 1, so
  // item i is on loan exactly when i*A⁻¹ mod M < L, which the item insert can tell by formula.
  let A = 1_000_003n % BigInt(M);
  if (A === 0n) A = 1n;
  while (gcd(A, BigInt(M)) !== 1n) A += 1n;
  const AINV = modInverse(A, BigInt(M));
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const V = benchVocabulary().length;

  return db.connection().execute(async (conn) => {
    const run = (text: string) => sql.raw(text).execute(conn);
    const existing = await sql<{ n: number }>`SELECT count(*)::int AS n FROM institutions`.execute(conn);
    if ((existing.rows[0]?.n ?? 0) > 0)
      throw new Error('the database already has institutions: generate into an empty one');

    // Session-local helpers (pg_temp): a seeded hash and a seeded, valid (version 4) UUID.
    // Both are single-expression SQL functions, which PostgreSQL inlines.
    await run(`
      CREATE FUNCTION pg_temp.h(k bigint, salt int) RETURNS bigint LANGUAGE sql IMMUTABLE AS
        $$ SELECT hashint8extended(k, ${seed}::bigint * 1000 + salt) & 9223372036854775807 $$;
      CREATE FUNCTION pg_temp.uid(tag text, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS
        $$ SELECT overlay(overlay(md5('${seed}:' || tag || ':' || n) placing '4' from 13 for 1)
             placing substr('89ab', (n % 4)::int + 1, 1) from 17 for 1)::uuid $$;`);

    // Formulas shared by the statements below (integer arithmetic on bigint).
    const bibWork = (b: string) => `((${b})::bigint * ${W} / ${B})`;
    const bibInst = (b: string) => `((${bibWork(b)} + (${b})) % ${N})`;
    const bibLib = (b: string) => `(${bibInst(b)} * ${LPI} + pg_temp.h(${b}, 20) % ${LPI})`;
    const itemBib = (i: string) => `((${i})::bigint * ${B} / ${M})`;
    const itemLoaned = (i: string) => `(((${i})::bigint * ${AINV}) % ${M} < ${L})`;
    const itemInTransit = (i: string) => `(NOT ${itemLoaned(i)} AND pg_temp.h(${i}, 40) % 200 = 0)`;
    // Policies: 0 REGULAR, 1 SHORT, 2 NONCIRC; loaned and travelling items are regular.
    const itemPolicy = (i: string) =>
      `(CASE WHEN ${itemLoaned(i)} OR ${itemInTransit(i)} THEN 0 WHEN pg_temp.h(${i}, 41) % 100 < 2 THEN 1
        WHEN pg_temp.h(${i}, 41) % 100 < 7 THEN 2 ELSE 0 END)`;
    // Material types: 0 BOOK, 1 DVD, 2 SERIAL, 3 SCORE.
    const itemMaterial = (i: string) =>
      `(CASE WHEN pg_temp.h(${i}, 42) % 100 < 90 THEN 0 WHEN pg_temp.h(${i}, 42) % 100 < 95 THEN 1
        WHEN pg_temp.h(${i}, 42) % 100 < 98 THEN 2 ELSE 3 END)`;
    const patronsAt = (inst: string) => `((${P} - 1 - (${inst})) / ${N} + 1)`;
    const heavy = (p: string) => `((${p}) < ${H})`; // the first patron of each of the first H institutions
    // User groups: 0 UNDERGRAD, 1 GRAD, 2 FACULTY, 3 STAFF, 4 GUEST, 5 NETWORK.
    const patronGroup = (p: string) =>
      `(CASE WHEN ${heavy(p)} THEN 2 WHEN pg_temp.h(${p}, 50) % 100 < 55 THEN 0
        WHEN pg_temp.h(${p}, 50) % 100 < 75 THEN 1 WHEN pg_temp.h(${p}, 50) % 100 < 85 THEN 2 ELSE 3 END)`;
    const patronFlag = (p: string) => `(CASE WHEN ${heavy(p)} THEN 99 ELSE pg_temp.h(${p}, 51) % 100 END)`;
    const loanItem = (l: string) => `(((${l})::bigint * ${A}) % ${M})`;
    // A loan goes to a patron of the item's institution, never to a heavy borrower (they get
    // theirs below); skip = 1 leaves out the institution's first patron when it is one.
    const loanPatron = (l: string, inst: string) => {
      const skip = `(CASE WHEN (${inst}) < ${H} AND ${patronsAt(inst)} > 1 THEN 1 ELSE 0 END)`;
      return `((${inst}) + ${N} * (${skip} + pg_temp.h(${l}, 30) % (${patronsAt(inst)} - ${skip})))`;
    };

    const chunks = async (step: string, total: number, statement: (from: number, to: number) => string) => {
      report(step, 0, total);
      for (let from = 0; from < total; from += chunk) {
        const to = Math.min(total, from + chunk) - 1;
        await run(statement(from, to));
        report(step, to + 1, total);
      }
    };

    // --- The network and its institutions' configuration (small: one statement per table).
    report('institutions', 0, N);
    await run(`
      INSERT INTO networks (id, code, name) VALUES (pg_temp.uid('network', 0), '${BENCH_NETWORK_CODE}', 'Benchmark consortium');
      INSERT INTO institutions (id, code, name, time_zone, currency, address, email, cross_consortia_ids_enabled,
          created_at, updated_at)
        SELECT pg_temp.uid('inst', n), 'M' || lpad(n::text, 4, '0'), 'Member ' || lpad(n::text, 4, '0') || ' University',
          (${arrayLit(TIME_ZONES)})[1 + n % 4], (${arrayLit(CURRENCIES)})[1 + n % 4],
          n || ' Library Road', 'library@m' || n || '.example', true, '${now}', '${now}'
        FROM generate_series(0, ${N - 1}) n;
      INSERT INTO network_members (id, network_id, institution_id, joined_at)
        SELECT pg_temp.uid('member', n), pg_temp.uid('network', 0), pg_temp.uid('inst', n), '${now}'
        FROM generate_series(0, ${N - 1}) n;
      INSERT INTO user_groups (id, institution_id, code, name)
        SELECT pg_temp.uid('ug', n * 8 + g), pg_temp.uid('inst', n),
          (ARRAY['UNDERGRAD','GRAD','FACULTY','STAFF','GUEST','NETWORK'])[g + 1],
          (ARRAY['Undergraduate','Graduate student','Faculty','Staff','Guest','Network patron'])[g + 1]
        FROM generate_series(0, ${N - 1}) n, generate_series(0, 5) g;
      UPDATE institutions SET guest_user_group_id = pg_temp.uid('ug', n * 8 + 4)
        FROM generate_series(0, ${N - 1}) n WHERE institutions.id = pg_temp.uid('inst', n);
      INSERT INTO item_policies (id, institution_id, code, name)
        SELECT pg_temp.uid('ip', n * 4 + k), pg_temp.uid('inst', n), (ARRAY['REGULAR','SHORT','NONCIRC'])[k + 1],
          (ARRAY['Regular loan','Short loan','Reference (not for loan)'])[k + 1]
        FROM generate_series(0, ${N - 1}) n, generate_series(0, 2) k;
      INSERT INTO material_types (id, institution_id, code, name)
        SELECT pg_temp.uid('mt', n * 4 + k), pg_temp.uid('inst', n), (ARRAY['BOOK','DVD','SERIAL','SCORE'])[k + 1],
          (ARRAY['Book','DVD','Serial issue','Music score'])[k + 1]
        FROM generate_series(0, ${N - 1}) n, generate_series(0, 3) k;
      -- CIRC-2: standard, faculty, short and not-for-loan terms, as in the demo network.
      INSERT INTO terms_of_use (id, institution_id, code, name, loanable, loan_period_unit, loan_period,
          renewals_allowed, renewal_period, overdue_fine_per_day_minor, overdue_grace_days, overdue_fine_max_minor,
          days_overdue_until_lost, lost_replacement_fee_minor, lost_processing_fee_minor, hold_shelf_days,
          requests_allowed, pickup_location_policy, updated_at)
        SELECT pg_temp.uid('tou', n * 4 + t.k), pg_temp.uid('inst', n), t.code, t.name, t.loanable, t.unit, t.period,
          t.renewals, t.period, t.fine, t.grace, t.fine_max, t.lost_days, 8000, 1500, t.shelf, t.requests, t.pickup, '${now}'
        FROM generate_series(0, ${N - 1}) n, (VALUES
          (0, 'STANDARD', 'Standard loan (28 days)', true, 'days', 28, 3, 25, 1, 1000, 42, 7, true, 'any_institution'),
          (1, 'FACULTY', 'Faculty loan (120 days)', true, 'days', 120, 3, 0, 0, NULL, 60, 7, true, 'any_institution'),
          (2, 'SHORT', 'Short loan (4 hours)', true, 'hours', 4, 1, 100, 0, 1000, 14, 2, false, 'own_library'),
          (3, 'NONCIRC', 'Not for loan', false, 'days', NULL, 0, 0, 0, NULL, NULL, 7, false, 'own_library'))
          AS t(k, code, name, loanable, unit, period, renewals, fine, grace, fine_max, lost_days, shelf, requests, pickup);
      INSERT INTO terms_of_use_rules (id, institution_id, priority, user_group_id, item_policy_id, terms_of_use_id,
          is_fallback, updated_at)
        SELECT pg_temp.uid('rule', n * 4 + r.k), pg_temp.uid('inst', n), r.priority,
          CASE WHEN r.k = 2 THEN pg_temp.uid('ug', n * 8 + 2) END,
          CASE r.k WHEN 0 THEN pg_temp.uid('ip', n * 4 + 2) WHEN 1 THEN pg_temp.uid('ip', n * 4 + 1) END,
          pg_temp.uid('tou', n * 4 + r.terms), r.k = 3, '${now}'
        FROM generate_series(0, ${N - 1}) n, (VALUES (0, 10, 3), (1, 20, 2), (2, 30, 1), (3, 1000, 0)) AS r(k, priority, terms);
      INSERT INTO loan_limits (id, institution_id, scope, user_group_id, material_type_id, max_loans)
        SELECT pg_temp.uid('limit', n * 4 + x.k), pg_temp.uid('inst', n), x.scope,
          CASE WHEN x.g IS NOT NULL THEN pg_temp.uid('ug', n * 8 + x.g) END,
          CASE WHEN x.k = 2 THEN pg_temp.uid('mt', n * 4 + 1) END, x.max
        FROM generate_series(0, ${N - 1}) n,
          (VALUES (0, 'institution', 0, 30), (1, 'institution', 1, 50), (2, 'institution', 0, 5), (3, 'network', NULL, 250))
          AS x(k, scope, g, max);
      INSERT INTO linked_account_rules (id, institution_id, user_group_id, expiry_mode, expiry_relative_days,
          purge_days_after_expiry, recalculate_on_refresh, is_default, updated_at)
        SELECT pg_temp.uid('lar', n), pg_temp.uid('inst', n), pg_temp.uid('ug', n * 8 + 5), 'relative', 365, 90, true, true, '${now}'
        FROM generate_series(0, ${N - 1}) n;
      INSERT INTO libraries (id, institution_id, code, name, serves_other_institutions, address, email, phone,
          created_at, updated_at)
        SELECT pg_temp.uid('lib', n * ${LPI} + k), pg_temp.uid('inst', n), 'L' || (k + 1),
          'Member ' || lpad(n::text, 4, '0') || ' library ' || (k + 1), k < 2, (k + 1) || ' Campus Way',
          'l' || (k + 1) || '@m' || n || '.example', '+1 555 0100', '${now}', '${now}'
        FROM generate_series(0, ${N - 1}) n, generate_series(0, ${LPI - 1}) k;
      -- NET-6 calendars: weekdays 08-20, Saturday 10-16, the main library also on Sunday.
      INSERT INTO library_opening_hours (library_id, weekday, opens, closes)
        SELECT pg_temp.uid('lib', x), d, CASE WHEN d = 6 THEN '10:00' WHEN d = 7 THEN '12:00' ELSE '08:00' END::time,
          CASE WHEN d = 6 THEN '16:00' WHEN d = 7 THEN '17:00' ELSE '20:00' END::time
        FROM generate_series(0, ${N * LPI - 1}) x, generate_series(1, 7) d
        WHERE d < 7 OR x % ${LPI} = 0;
      INSERT INTO library_closed_days (library_id, day, reason)
        SELECT pg_temp.uid('lib', x), make_date(y, m, d), reason
        FROM generate_series(0, ${N * LPI - 1}) x, generate_series(2025, 2029) y,
          (VALUES (12, 25, 'Christmas Day'), (1, 1, 'New Year''s Day')) AS h(m, d, reason);
      INSERT INTO circulation_desks (id, institution_id, library_id, code, name, created_at)
        SELECT pg_temp.uid('desk', x), pg_temp.uid('inst', x / ${LPI}), pg_temp.uid('lib', x), 'CIRC',
          'Circulation desk ' || (x % ${LPI} + 1), '${now}'
        FROM generate_series(0, ${N * LPI - 1}) x;
      INSERT INTO locations (id, institution_id, library_id, code, name, created_at)
        SELECT pg_temp.uid('loc', x * 2 + k), pg_temp.uid('inst', x / ${LPI}), pg_temp.uid('lib', x),
          (ARRAY['STACKS','REF'])[k + 1], (ARRAY['Stacks','Reference'])[k + 1], '${now}'
        FROM generate_series(0, ${N * LPI - 1}) x, generate_series(0, 1) k;
      -- NET-6 transit times: a day inside an institution, two between main libraries.
      INSERT INTO transit_times (from_library_id, to_library_id, days)
        SELECT pg_temp.uid('lib', n * ${LPI} + a), pg_temp.uid('lib', n * ${LPI} + b), 1
        FROM generate_series(0, ${N - 1}) n, generate_series(0, ${LPI - 1}) a, generate_series(0, ${LPI - 1}) b WHERE a <> b;
      INSERT INTO transit_times (from_library_id, to_library_id, days)
        SELECT pg_temp.uid('lib', a * ${LPI}), pg_temp.uid('lib', b * ${LPI}), 2
        FROM generate_series(0, ${N - 1}) a, generate_series(0, ${N - 1}) b WHERE a <> b;
      -- One desk operator per institution (NA-2 circulation_desk_operator, institution-wide).
      INSERT INTO staff (id, institution_id, username, name, email, password_hash, created_at, updated_at)
        SELECT pg_temp.uid('staff', n), pg_temp.uid('inst', n), 'bench-desk-m' || lpad(n::text, 4, '0'),
          'Desk operator ' || n, 'desk@m' || n || '.example', ${lit(passwordHash)}, '${now}', '${now}'
        FROM generate_series(0, ${N - 1}) n;
      INSERT INTO role_assignments (id, staff_id, role, institution_id, created_at)
        SELECT pg_temp.uid('role', n), pg_temp.uid('staff', n), 'circulation_desk_operator', pg_temp.uid('inst', n), '${now}'
        FROM generate_series(0, ${N - 1}) n;`);
    report('institutions', N, N);

    // --- The catalogue: bibliographic records (title words shared by a work's records), one
    // holding each, and items.
    // The word benchVocabulary() has at a seeded index, spelled from its syllables in SQL (a
    // subscript into a long text array walks the array on every row: far slower).
    const syllables = arrayLit(SYLLABLES);
    const S = SYLLABLES.length;
    const word = (w: string, salt: number) => {
      const k = `(pg_temp.h(${w}, ${salt}) % ${V})`;
      return `((${syllables})[1 + ${k} % ${S}] || (${syllables})[1 + ${k} / ${S} % ${S}] || (${syllables})[1 + ${k} / ${S * S} % ${S}])`;
    };
    await chunks(
      'bibliographic records',
      B,
      (from, to) => `
      INSERT INTO bib_records (id, institution_id, source_id, work_key, title, author, publisher, publication_year,
          language, format, subjects, search_document, created_at, updated_at)
        SELECT pg_temp.uid('bib', b), pg_temp.uid('inst', ${bibInst('b')}), 'bench-' || b, 'bench-work-' || ${bibWork('b')},
          t.title, t.author, 'Bench Press', 1950 + pg_temp.h(${bibWork('b')}, 13) % 75, 'eng', 'book', t.subjects,
          setweight(to_tsvector('simple', t.title), 'A') || setweight(to_tsvector('simple', t.author), 'B')
            || setweight(to_tsvector('simple', array_to_string(t.subjects, ' ')), 'C'),
          '${now}', '${now}'
        FROM generate_series(${from}, ${to}) b, LATERAL (SELECT ${bibWork('b')} AS w) wk,
          LATERAL (SELECT initcap(${word('wk.w', 10)} || ' ' || ${word('wk.w', 11)} || ' ' || ${word('wk.w', 12)}
              || CASE WHEN pg_temp.h(wk.w, 14) % 2 = 0 THEN ' ' || ${word('wk.w', 15)} ELSE '' END) AS title,
            (${arrayLit(LAST_NAMES)})[1 + pg_temp.h(wk.w, 16) % ${LAST_NAMES.length}] || ', '
              || (${arrayLit(FIRST_NAMES)})[1 + pg_temp.h(wk.w, 17) % ${FIRST_NAMES.length}] AS author,
            ARRAY[${word('wk.w', 18)}, ${word('wk.w', 19)}] AS subjects) t;
      INSERT INTO holdings (id, institution_id, bib_id, library_id, location_id, call_number, created_at, updated_at)
        SELECT pg_temp.uid('hold', b), pg_temp.uid('inst', ${bibInst('b')}), pg_temp.uid('bib', b),
          pg_temp.uid('lib', ${bibLib('b')}), pg_temp.uid('loc', ${bibLib('b')} * 2), 'QA' || (b % 1000) || '.B' || b,
          '${now}', '${now}'
        FROM generate_series(${from}, ${to}) b;`,
    );
    await chunks(
      'items',
      M,
      (from, to) => `
      INSERT INTO items (id, institution_id, holding_id, bib_id, barcode, material_type_id, item_policy_id,
          in_place, process_type, created_at, updated_at)
        SELECT pg_temp.uid('item', i), pg_temp.uid('inst', ${bibInst('x.b')}), pg_temp.uid('hold', x.b), pg_temp.uid('bib', x.b),
          '3' || lpad(i::text, 10, '0'), pg_temp.uid('mt', ${bibInst('x.b')} * 4 + ${itemMaterial('i')}),
          pg_temp.uid('ip', ${bibInst('x.b')} * 4 + ${itemPolicy('i')}),
          NOT (${itemLoaned('i')} OR ${itemInTransit('i')}),
          CASE WHEN ${itemLoaned('i')} THEN 'loan' WHEN ${itemInTransit('i')} THEN 'transit' END, '${now}', '${now}'
        FROM generate_series(${from}, ${to}) i, LATERAL (SELECT ${itemBib('i')} AS b) x;`,
    );

    // --- Patrons (PAT-1): 1% expired, 1% blocked; heavy borrowers are faculty in good standing.
    await chunks(
      'patrons',
      P,
      (from, to) => `
      INSERT INTO patrons (id, institution_id, primary_identifier, first_name, last_name, user_group_id, email,
          status, expiry_date, search_text, created_at, updated_at)
        SELECT pg_temp.uid('patron', p), pg_temp.uid('inst', p % ${N}), 'P' || lpad(p::text, 9, '0'), x.first, x.last,
          pg_temp.uid('ug', (p % ${N}) * 8 + ${patronGroup('p')}), 'p' || p || '@bench.example', 'active',
          CASE WHEN ${patronFlag('p')} = 0 THEN DATE '2024-06-30' ELSE DATE '2030-06-30' END,
          lower(x.first || ' ' || x.last || ' p' || lpad(p::text, 9, '0') || ' pb' || p), '${now}', '${now}'
        FROM generate_series(${from}, ${to}) p,
          LATERAL (SELECT (${arrayLit(FIRST_NAMES)})[1 + pg_temp.h(p, 52) % ${FIRST_NAMES.length}] AS first,
            (${arrayLit(LAST_NAMES)})[1 + pg_temp.h(p, 53) % ${LAST_NAMES.length}] AS last) x;
      INSERT INTO patron_identifiers (institution_id, patron_id, id_type, value)
        SELECT pg_temp.uid('inst', p % ${N}), pg_temp.uid('patron', p), 'BARCODE', 'PB' || p
        FROM generate_series(${from}, ${to}) p;
      INSERT INTO patron_blocks (id, institution_id, patron_id, block_type, reason, created_at)
        SELECT pg_temp.uid('block', p), pg_temp.uid('inst', p % ${N}), pg_temp.uid('patron', p), 'MANUAL',
          'Generated block', '${now}'
        FROM generate_series(${from}, ${to}) p WHERE ${patronFlag('p')} = 1;`,
    );

    // --- Active loans: loaned up to 20 days ago, 2% loaned 35-40 days ago (overdue), due by
    // the terms the rules pick (faculty 120 days, everyone else 28), at the item's home desk.
    await chunks(
      'loans',
      L,
      (from, to) => `
      INSERT INTO loans (id, institution_id, item_id, patron_id, terms_of_use_id, desk_id, desk_institution_id,
          desk_library_id, loaned_by, loaned_at, due_at)
        SELECT pg_temp.uid('loan', l), pg_temp.uid('inst', x.inst), pg_temp.uid('item', x.i), pg_temp.uid('patron', y.p),
          pg_temp.uid('tou', x.inst * 4 + CASE WHEN ${patronGroup('y.p')} = 2 THEN 1 ELSE 0 END),
          pg_temp.uid('desk', x.lib), pg_temp.uid('inst', x.inst), pg_temp.uid('lib', x.lib), pg_temp.uid('staff', x.inst),
          z.at, z.at + CASE WHEN ${patronGroup('y.p')} = 2 THEN interval '120 days' ELSE interval '28 days' END
        FROM generate_series(${from}, ${to}) l,
          LATERAL (SELECT ${loanItem('l')} AS i) i0,
          LATERAL (SELECT i0.i, ${bibInst(itemBib('i0.i'))} AS inst, ${bibLib(itemBib('i0.i'))} AS lib) x,
          LATERAL (SELECT ${loanPatron('l', 'x.inst')} AS p) y,
          LATERAL (SELECT timestamptz '${now}' - interval '1 hour' - make_interval(mins => (pg_temp.h(l, 31) % (20 * 24 * 60))::int)
            - CASE WHEN pg_temp.h(l, 32) % 50 = 0 THEN interval '35 days' ELSE interval '0' END AS at) z;`,
    );

    // Heavy borrowers: 200 loans each (or all their institution's), switched to faculty terms.
    report('heavy borrowers', 0, H);
    const heavyBorrowers: GenerateSummary['heavyBorrowers'] = [];
    for (let n = 0; n < H; n++) {
      const result = await sql<{ institution_id: string; patron_id: string; n: number }>`
        WITH chosen AS (SELECT institution_id, id FROM loans WHERE institution_id = pg_temp.uid('inst', ${sql.lit(n)})
            ORDER BY id LIMIT ${sql.lit(HEAVY_BORROWER_LOANS)}),
          moved AS (UPDATE loans l SET patron_id = pg_temp.uid('patron', ${sql.lit(n)}),
              terms_of_use_id = pg_temp.uid('tou', ${sql.lit(n * 4 + 1)}), due_at = l.loaned_at + interval '120 days'
            FROM chosen c WHERE l.institution_id = c.institution_id AND l.id = c.id RETURNING l.id)
        SELECT pg_temp.uid('inst', ${sql.lit(n)}) AS institution_id, pg_temp.uid('patron', ${sql.lit(n)}) AS patron_id,
          (SELECT count(*)::int FROM moved) AS n`.execute(conn);
      const row = result.rows[0];
      if (row)
        heavyBorrowers.push({ institutionId: row.institution_id, patronId: row.patron_id, loans: row.n });
      report('heavy borrowers', n + 1, H);
    }

    // CIRC-13: each loan's history event.
    await chunks(
      'loan history',
      L,
      (from, to) => `
      INSERT INTO item_history (institution_id, item_id, at, event, acting_institution_id, library_id, desk_id,
          operator_staff_id, patron_id, loan_id, details)
        SELECT l.institution_id, l.item_id, l.loaned_at, 'loan', l.desk_institution_id, l.desk_library_id, l.desk_id,
          l.loaned_by, l.patron_id, l.id, jsonb_build_object('dueAt', l.due_at, 'termsOfUseId', l.terms_of_use_id, 'generated', true)
        FROM generate_series(${from}, ${to}) x JOIN loans l ON l.institution_id = pg_temp.uid('inst', ${bibInst(itemBib(loanItem('x')))})
          AND l.id = pg_temp.uid('loan', x);`,
    );

    // CIRC-7: an item-level hold on about every 20th loaned copy, by another patron of the
    // owner, first in its title's queue (one request per title, so every queue is 1..n).
    report('requests', 0, 1);
    await run(`
      INSERT INTO requests (id, institution_id, patron_id, bib_id, work_key, volume, item_id, request_type, level,
          pickup_institution_id, pickup_library_id, status, queue_position, placed_at, updated_at)
        SELECT DISTINCT ON (r.institution_id, r.bib_id) pg_temp.uid('request', r.x), r.institution_id, r.requester,
          r.bib_id, r.work_key, '', r.item_id, 'hold', 'item', r.institution_id, r.library_id, 'not_started', 1,
          r.loaned_at + interval '1 hour', r.loaned_at + interval '1 hour'
        FROM (SELECT x, l.institution_id, l.item_id, l.loaned_at, i.bib_id, b.work_key, h.library_id, l.patron_id,
            pg_temp.uid('patron', q.inst + ${N} * (pg_temp.h(x, 60) % ${patronsAt('q.inst')})) AS requester
          FROM generate_series(0, ${Math.max(0, L - 1)}, 20) x
          CROSS JOIN LATERAL (SELECT ${bibInst(itemBib(loanItem('x')))} AS inst) q
          JOIN loans l ON l.institution_id = pg_temp.uid('inst', q.inst) AND l.id = pg_temp.uid('loan', x)
          JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
          JOIN bib_records b ON b.institution_id = i.institution_id AND b.id = i.bib_id
          JOIN holdings h ON h.institution_id = i.institution_id AND h.id = i.holding_id
          ) r
        WHERE r.requester <> r.patron_id
        ORDER BY r.institution_id, r.bib_id, r.x;`);
    report('requests', 1, 1);

    // CIRC-9: the items marked in transit travel home from the next library of their institution.
    report('transits', 0, 1);
    await run(`
      INSERT INTO transits (id, institution_id, item_id, from_library_id, to_library_id, reason, status, sent_at,
          expected_arrival_at)
        SELECT pg_temp.uid('transit', i.n), i.institution_id, i.id,
          pg_temp.uid('lib', (i.lib / ${LPI}) * ${LPI} + (i.lib % ${LPI} + 1) % ${LPI}), pg_temp.uid('lib', i.lib),
          'home_library', 'open', timestamptz '${now}' - interval '6 hours', timestamptz '${now}' + interval '18 hours'
        FROM (SELECT it.institution_id, it.id, substr(it.barcode, 2)::bigint AS n,
            ${bibLib(itemBib('substr(it.barcode, 2)::bigint'))} AS lib
          FROM items it WHERE it.process_type = 'transit') i;`);
    report('transits', 1, 1);

    // CIRC-11: an open fee ('other': a replacement card) for about one patron in twenty.
    report('fees', 0, 1);
    await run(`
      INSERT INTO fees (id, institution_id, patron_id, fee_type, status, currency, original_minor, balance_minor,
          created_at, updated_at)
        SELECT pg_temp.uid('fee', p), pg_temp.uid('inst', p % ${N}), pg_temp.uid('patron', p), 'other', 'active',
          (${arrayLit(CURRENCIES)})[1 + (p % ${N}) % 4], 500 + pg_temp.h(p, 70) % 4500, 500 + pg_temp.h(p, 70) % 4500,
          '${now}', '${now}'
        FROM generate_series(0, ${P - 1}) p WHERE pg_temp.h(p, 71) % 20 = 0 AND NOT ${heavy('p')};`);
    report('fees', 1, 1);

    report('analyze', 0, 1);
    await run('ANALYZE');
    report('analyze', 1, 1);

    const count = async (table: string) =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(conn)).rows[0]
        ?.n ?? 0;
    return {
      seed,
      institutions: N,
      libraries: N * LPI,
      works: W,
      bibRecords: B,
      items: M,
      patrons: P,
      loans: L,
      requests: await count('requests'),
      transits: await count('transits'),
      fees: await count('fees'),
      heavyBorrowers,
      seconds: (Date.now() - started) / 1000,
    };
  });
}
