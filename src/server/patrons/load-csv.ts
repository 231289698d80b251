import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { Db } from '../db/database.ts';
import { AppError, badRequest, notFound } from '../shared/errors.ts';
import { appErrorFromDatabase } from '../shared/http-errors.ts';
import {
  applyPatronChanges,
  findPatronIdByPrimaryIdentifier,
  getPatron,
  insertPatron,
  type PatronFields,
} from './commands.ts';
import { canonicalJson, storedContacts } from './rules.ts';
import { type PatronUpdate, patronCreateSchema } from './schemas.ts';

/**
 * PAT-1 batch load of patrons from a CSV file (`npm run load-patrons -- --institution CODE FILE`).
 *
 * The file is UTF-8 (a byte-order mark is allowed), comma-separated, with a header row naming
 * its columns in any order (case is ignored). Columns:
 *
 * | column             | meaning                                                        | required |
 * |--------------------|----------------------------------------------------------------|----------|
 * | primary_identifier | the patron's primary identifier; matches existing records     | yes      |
 * | last_name          | last name                                                      | yes      |
 * | user_group         | the code of one of the institution's user groups (UNDERGRAD)   | yes      |
 * | first_name         | first name                                                     |          |
 * | middle_name        | middle name                                                    |          |
 * | preferred_name     | preferred name                                                 |          |
 * | email              | the (preferred) email address, type `personal`                |          |
 * | phone              | the (preferred) phone number, type `mobile`                    |          |
 * | address_line1, address_line2, city, region, postal_code, country | the (preferred) home address |   |
 * | expiry_date        | YYYY-MM-DD                                                     |          |
 * | purge_date         | YYYY-MM-DD, not before the expiry date                        |          |
 * | barcode            | identifier of type BARCODE                                     |          |
 * | university_id      | identifier of type UNIVERSITY_ID                               |          |
 * | status             | `active` (the default) or `inactive`                           |          |
 * | note               | general note                                                   |          |
 *
 * Each row is validated with the API's own schema (schemas.ts) and written in its own small
 * transaction through the same code as the API, so a bad row is refused for the reasons a request
 * would be and never stops the good ones. A row whose primary identifier already exists updates
 * that record, and only the fields of the columns the file has (an empty cell clears the field;
 * identifiers of other types than the file's identifier columns are kept); a row that would change
 * nothing is counted as unchanged and not written, so loading the same file again changes nothing.
 * Passwords are never loaded from files.
 */

/** The columns the loader knows and the identifier type of each identifier column. */
export const PATRON_CSV_COLUMNS = [
  'primary_identifier',
  'first_name',
  'middle_name',
  'last_name',
  'preferred_name',
  'user_group',
  'email',
  'phone',
  'address_line1',
  'address_line2',
  'city',
  'region',
  'postal_code',
  'country',
  'expiry_date',
  'purge_date',
  'barcode',
  'university_id',
  'status',
  'note',
] as const;
type Column = (typeof PATRON_CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: Column[] = ['primary_identifier', 'last_name', 'user_group'];
const IDENTIFIER_COLUMNS = { barcode: 'BARCODE', university_id: 'UNIVERSITY_ID' } as const;
const ADDRESS_COLUMNS: Column[] = [
  'address_line1',
  'address_line2',
  'city',
  'region',
  'postal_code',
  'country',
];

/** Where an API field lives in the file, to name the column in a row's reasons. */
const COLUMN_OF_FIELD: Record<string, Column> = {
  primaryIdentifier: 'primary_identifier',
  firstName: 'first_name',
  middleName: 'middle_name',
  lastName: 'last_name',
  preferredName: 'preferred_name',
  userGroupId: 'user_group',
  emails: 'email',
  phones: 'phone',
  expiryDate: 'expiry_date',
  purgeDate: 'purge_date',
  generalNote: 'note',
  status: 'status',
  city: 'city',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
};

export interface CsvLoadProblem {
  /** The line of the file where the row starts (the header is line 1). */
  line: number;
  primaryIdentifier: string | null;
  reason: string;
}

export interface CsvLoadSummary {
  institutionCode: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  problems: CsvLoadProblem[];
}

/** A row that passed validation: the API input and, per identifier, the column it came from. */
interface ParsedRow {
  input: PatronFields;
  identifierColumns: Column[];
}

const PLACEHOLDER_GROUP_ID = '00000000-0000-4000-8000-000000000000';

function columnOfPath(path: readonly PropertyKey[], identifierColumns: Column[]): string {
  const [field, index, sub, lineIndex] = path;
  if (field === 'identifiers' && typeof index === 'number') return identifierColumns[index] ?? 'identifiers';
  if (field === 'addresses') {
    if (sub === 'lines')
      return typeof lineIndex === 'number' ? `address_line${lineIndex + 1}` : 'address_line1';
    return typeof sub === 'string' ? (COLUMN_OF_FIELD[sub] ?? 'address') : 'address';
  }
  return COLUMN_OF_FIELD[String(field)] ?? String(field);
}

/** A field name of the API (`identifiers.0.value`) as the file's column. */
function columnOfField(field: string, identifierColumns: Column[]): string {
  return columnOfPath(
    field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
    identifierColumns,
  );
}

/** Maps one row to the API's input and validates it with the API's schema; returns every reason at once. */
function parseRow(
  cells: Map<Column, string>,
  groups: Map<string, string>,
): { row: ParsedRow | null; reasons: string[] } {
  const has = (c: Column) => cells.has(c);
  const cell = (c: Column) => cells.get(c) ?? '';
  const reasons: string[] = [];
  const input: Record<string, unknown> = {
    primaryIdentifier: cell('primary_identifier'),
    lastName: cell('last_name'),
  };
  const groupCode = cell('user_group');
  const groupId = groups.get(groupCode.toUpperCase()) ?? groups.get(groupCode);
  if (!groupCode) reasons.push('user_group: is required');
  else if (!groupId) reasons.push(`user_group: no user group ${groupCode} at this institution`);
  input.userGroupId = groupId ?? PLACEHOLDER_GROUP_ID;
  if (has('first_name')) input.firstName = cell('first_name');
  if (has('middle_name')) input.middleName = cell('middle_name');
  if (has('preferred_name')) input.preferredName = cell('preferred_name') || null;
  if (has('email')) input.emails = cell('email') ? [{ address: cell('email'), type: 'personal' }] : [];
  if (has('phone')) input.phones = cell('phone') ? [{ number: cell('phone'), type: 'mobile' }] : [];
  if (ADDRESS_COLUMNS.some(has)) {
    const lines = [cell('address_line1'), cell('address_line2')].filter(Boolean);
    const rest = {
      city: cell('city'),
      region: cell('region'),
      postalCode: cell('postal_code'),
      country: cell('country'),
    };
    input.addresses =
      lines.length > 0 || Object.values(rest).some(Boolean) ? [{ lines, ...rest, type: 'home' }] : [];
  }
  if (has('expiry_date')) input.expiryDate = cell('expiry_date') || null;
  if (has('purge_date')) input.purgeDate = cell('purge_date') || null;
  if (has('note')) input.generalNote = cell('note');
  if (has('status') && cell('status')) input.status = cell('status').toLowerCase();
  const identifierColumns: Column[] = [];
  const identifiers: { type: string; value: string }[] = [];
  for (const [column, type] of Object.entries(IDENTIFIER_COLUMNS) as [Column, string][]) {
    if (!has(column)) continue;
    if (cell(column)) {
      identifiers.push({ type, value: cell(column) });
      identifierColumns.push(column);
    }
  }
  if (Object.keys(IDENTIFIER_COLUMNS).some((c) => has(c as Column))) input.identifiers = identifiers;

  const parsed = patronCreateSchema.omit({ password: true }).safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      reasons.push(`${columnOfPath(issue.path, identifierColumns)}: ${issue.message}`);
    }
  }
  if (reasons.length > 0 || !parsed.success) return { row: null, reasons };
  return { row: { input: parsed.data, identifierColumns }, reasons: [] };
}

/** The fields of `input` that differ from the stored record (only the file's columns are in `input`). */
function changesFrom(
  current: Awaited<ReturnType<typeof getPatron>>,
  input: ParsedRow['input'],
  identifierTypes: string[],
): PatronUpdate {
  const changes: PatronUpdate = {};
  const contacts = storedContacts(input);
  if (input.firstName !== undefined && input.firstName !== current.firstName)
    changes.firstName = input.firstName;
  if (input.middleName !== undefined && input.middleName !== current.middleName)
    changes.middleName = input.middleName;
  if (input.lastName !== undefined && input.lastName !== current.lastName) changes.lastName = input.lastName;
  if (input.preferredName !== undefined && (input.preferredName || null) !== current.preferredName)
    changes.preferredName = input.preferredName;
  if (input.userGroupId !== undefined && input.userGroupId !== current.userGroup.id)
    changes.userGroupId = input.userGroupId;
  if (contacts.emails && canonicalJson(contacts.emails) !== canonicalJson(current.emails))
    changes.emails = input.emails;
  if (contacts.phones && canonicalJson(contacts.phones) !== canonicalJson(current.phones))
    changes.phones = input.phones;
  if (contacts.addresses && canonicalJson(contacts.addresses) !== canonicalJson(current.addresses))
    changes.addresses = input.addresses;
  if (input.expiryDate !== undefined && input.expiryDate !== current.expiryDate)
    changes.expiryDate = input.expiryDate;
  if (input.purgeDate !== undefined && input.purgeDate !== current.purgeDate)
    changes.purgeDate = input.purgeDate;
  if (input.generalNote !== undefined && input.generalNote !== current.generalNote)
    changes.generalNote = input.generalNote;
  if (input.status !== undefined && input.status !== current.status) changes.status = input.status;
  if (input.identifiers) {
    const key = (i: { type: string; value: string }) => `${i.type}\u0000${i.value}`;
    const stored = current.identifiers
      .filter((i) => identifierTypes.includes(i.type))
      .map(key)
      .sort();
    const wanted = input.identifiers.map(key).sort();
    if (canonicalJson(stored) !== canonicalJson(wanted)) changes.identifiers = input.identifiers;
  }
  return changes;
}

/** The reasons of a refusal by the use case (400 or 409), naming the file's columns. */
function reasonsOf(error: AppError, identifierColumns: Column[]): string[] {
  const fields = (error.details as { fields?: { field: string; message: string }[] } | undefined)?.fields;
  if (!fields?.length) return [error.message];
  return fields.map((f) => `${columnOfField(f.field, identifierColumns)}: ${f.message}`);
}

/** The line where a record starts: csv-parse counts the line where it ends. */
const startLine = (endLine: number, record: string[]) =>
  endLine - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);

/**
 * Loads patrons of the institution from CSV text. Refuses the whole file (AppError) only when the
 * institution is unknown or the header is unusable; otherwise reports each bad row and loads the rest.
 */
export async function loadPatronsCsv(
  db: Db,
  options: { institutionCode: string; csv: string; onRow?: (rowsDone: number) => void },
): Promise<CsvLoadSummary> {
  const institution = await db
    .selectFrom('institutions')
    .select(['id', 'code'])
    .where('code', '=', options.institutionCode)
    .executeTakeFirst();
  if (!institution)
    throw notFound('INSTITUTION_NOT_FOUND', `No institution with the code ${options.institutionCode}.`);
  const groupRows = await db
    .selectFrom('user_groups')
    .select(['id', 'code'])
    .where('institution_id', '=', institution.id)
    .execute();
  const groups = new Map(groupRows.map((g) => [g.code, g.id]));

  const summary: CsvLoadSummary = {
    institutionCode: institution.code,
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    problems: [],
  };
  const reject = (line: number, primaryIdentifier: string | null, reasons: string[]) => {
    summary.rejected += 1;
    summary.problems.push({ line, primaryIdentifier, reason: reasons.join('; ') });
  };

  // Line endings are made LF first, so csv-parse's line numbers are right for CRLF files too.
  const parser = parse({
    bom: true,
    info: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      summary.rows += 1;
      reject(Number(error?.lines ?? 0), null, [`not readable as CSV: ${error?.message ?? 'malformed row'}`]);
    },
  });
  parser.end(options.csv.replace(/\r\n?/g, '\n'));

  let header: Column[] | null = null;
  const seen = new Map<string, number>();
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    const line = startLine(info.lines, record);
    if (!header) {
      header = readHeader(record);
      continue;
    }
    summary.rows += 1;
    options.onRow?.(summary.rows);
    if (record.length !== header.length) {
      reject(line, record[0] ?? null, [`has ${record.length} fields, the header has ${header.length}`]);
      continue;
    }
    const cells = new Map(header.map((column, i) => [column, record[i] ?? ''] as const));
    const primaryIdentifier = cells.get('primary_identifier') || null;
    const parsed = parseRow(cells, groups);
    const row = parsed.row;
    const reasons: string[] = [...parsed.reasons];
    const firstLine = primaryIdentifier ? seen.get(primaryIdentifier) : undefined;
    if (firstLine !== undefined) reasons.push(`primary_identifier: also on line ${firstLine} of this file`);
    if (primaryIdentifier && firstLine === undefined) seen.set(primaryIdentifier, line);
    if (!row || reasons.length > 0) {
      reject(line, primaryIdentifier, reasons);
      continue;
    }
    const identifierTypes = header.flatMap((c) =>
      c in IDENTIFIER_COLUMNS ? [IDENTIFIER_COLUMNS[c as 'barcode']] : [],
    );
    try {
      const outcome = await db.transaction().execute(async (trx) => {
        const existingId = await findPatronIdByPrimaryIdentifier(
          trx,
          institution.id,
          row.input.primaryIdentifier,
        );
        if (!existingId) {
          await insertPatron(trx, institution.id, row.input, null);
          return 'created' as const;
        }
        const changes = changesFrom(
          await getPatron(trx, institution.id, existingId),
          row.input,
          identifierTypes,
        );
        if (Object.keys(changes).length === 0) return 'unchanged' as const;
        await applyPatronChanges(trx, institution.id, existingId, changes, {
          replaceIdentifierTypes: identifierTypes,
        });
        return 'updated' as const;
      });
      summary[outcome] += 1;
    } catch (error) {
      const refusal = error instanceof AppError ? error : appErrorFromDatabase(error);
      if (!refusal || refusal.kind === 'internal') throw error;
      reject(line, primaryIdentifier, reasonsOf(refusal, row.identifierColumns));
    }
  }
  if (!header)
    throw badRequest('CSV_HEADER_INVALID', 'The file is empty: it needs a header row naming its columns.');
  // Rows csv-parse cannot read are reported as it meets them, ahead of the rows it yields.
  summary.problems.sort((a, b) => a.line - b.line);
  return summary;
}

/** The header row as known columns; refuses the file when it cannot be loaded at all. */
function readHeader(record: string[]): Column[] {
  const names = record.map((name) => name.trim().toLowerCase());
  const unknown = names.filter((n) => !(PATRON_CSV_COLUMNS as readonly string[]).includes(n));
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  const problems = [
    ...(unknown.length ? [`unknown columns: ${unknown.join(', ')}`] : []),
    ...(missing.length ? [`missing columns: ${missing.join(', ')}`] : []),
    ...(repeated.length ? [`repeated columns: ${[...new Set(repeated)].join(', ')}`] : []),
  ];
  if (problems.length > 0) {
    throw badRequest('CSV_HEADER_INVALID', `The header row cannot be used: ${problems.join('; ')}.`, {
      columns: PATRON_CSV_COLUMNS,
    });
  }
  return names as Column[];
}

/** Reads a CSV file (UTF-8) and loads it; see loadPatronsCsv. */
export async function loadPatronsCsvFile(
  db: Db,
  options: { institutionCode: string; file: string; onRow?: (rowsDone: number) => void },
): Promise<CsvLoadSummary> {
  let csv: string;
  try {
    csv = await readFile(options.file, 'utf8');
  } catch (error) {
    throw badRequest('FILE_NOT_READABLE', `Cannot read ${options.file}: ${(error as Error).message}`);
  }
  return loadPatronsCsv(db, { institutionCode: options.institutionCode, csv, onRow: options.onRow });
}
