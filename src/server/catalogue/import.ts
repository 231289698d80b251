import { createHash, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Insertable, sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database, HoldingsTable, ItemsTable } from '../db/schema.ts';
import { notFound, refused } from '../shared/errors.ts';
import { type BibFields, cleanText, extractBibFields } from './bib-fields.ts';
import { type LocalItem, localItems } from './local-holdings.ts';
import { type MarcReadResult, readMarcFile } from './marc/reader.ts';
import { dataFields, type MarcRecord, subfieldValues } from './marc/record.ts';
import { searchDocumentSql } from './search-document.ts';
import { workKey } from './work-key.ts';

/**
 * MARC import (issue 3): loads a MARC 21 file into one institution's catalogue.
 *
 * - Every record is read by the MARC reader; a record it cannot read is reported with its
 *   position and reason and the rest load.
 * - Records are matched on their 001 (source_id) within the institution. A record whose
 *   content hash is unchanged is left alone, so importing the same file again changes nothing.
 * - Holdings and items come from local holdings fields (852, 949, 952, 999); a record without
 *   them gets one holding and one item with the barcode `<institution code>-<001>`.
 * - Work is saved in batches (about 200 records), each in its own transaction, so a large file
 *   never holds one long transaction and a failed batch is retried record by record.
 */

export type ProblemSeverity = 'error' | 'warning';

export interface ImportProblem {
  /** 1-based position of the record in the file (null for the file itself). */
  record: number | null;
  /** Byte offset of the record in the file, where known. */
  offset: number | null;
  line?: number;
  sourceId?: string;
  /** error: the record was not loaded; warning: it was loaded, with this remark. */
  severity: ProblemSeverity;
  reason: string;
}

export interface ImportCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportSummary extends ImportCounts {
  runId: string;
  file: string;
  problems: ImportProblem[];
  seconds: number;
}

export interface ImportProgress extends ImportCounts {
  file: string;
  bytesRead: number;
  bytesTotal: number;
}

export interface ImportOptions {
  institutionId: string;
  path: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Records per transaction (default 200). */
  batchSize?: number;
  /**
   * Where copies go whose library is unknown or unstated: by default the first library (MAIN
   * when there is one) and its STACKS location; with this set, spread over all libraries by a
   * hash of the 001 (the demo catalogue uses it).
   */
  spreadOverLibraries?: boolean;
  /** Only the records at these 1-based positions (inclusive), e.g. a slice for the demo. */
  records?: { from?: number; to?: number };
  /**
   * Put before every barcode taken from the file, for files whose barcodes would clash with
   * another member's (the demo loads one library's file into three institutions).
   */
  barcodePrefix?: string;
}

/** Changes when the extraction rules change, so a re-import then refreshes every record. */
const EXTRACTION_VERSION = 'bib-1';
const DEFAULT_BATCH_SIZE = 200;
const MAX_STORED_PROBLEMS = 1000;
const MAX_BARCODE_LENGTH = 64;

interface Place {
  libraryId: string;
  locationId: string;
}

interface InstitutionSetup {
  code: string;
  libraries: { id: string; code: string; locations: { id: string; code: string }[] }[];
  defaultPlace: Place;
  materialTypes: Map<string, string>;
  defaultMaterialTypeId: string;
  itemPolicyId: string;
}

interface PlannedItem extends Place {
  barcode: string;
  callNumber: string;
  materialTypeId: string;
  itemPolicyId: string;
  enumeration: string;
}

interface PreparedRecord {
  position: number;
  offset: number;
  line?: number;
  sourceId: string;
  contentHash: string;
  deleted: boolean;
  marc: MarcRecord;
  bib: BibFields;
  workKey: string;
  items: PlannedItem[];
  warnings: string[];
}

interface BatchOutcome {
  counts: Omit<ImportCounts, 'read'>;
  problems: ImportProblem[];
  barcodes: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function loadSetup(db: Db, institutionId: string): Promise<InstitutionSetup> {
  const institution = await db
    .selectFrom('institutions')
    .select(['code'])
    .where('id', '=', institutionId)
    .executeTakeFirst();
  if (!institution) throw notFound('INSTITUTION_NOT_FOUND', 'No such institution.');
  const [libraries, locations, materialTypes, policies] = await Promise.all([
    db
      .selectFrom('libraries')
      .select(['id', 'code'])
      .where('institution_id', '=', institutionId)
      .orderBy('created_at')
      .orderBy('code')
      .execute(),
    db
      .selectFrom('locations')
      .select(['id', 'code', 'library_id'])
      .where('institution_id', '=', institutionId)
      .orderBy('code')
      .execute(),
    db
      .selectFrom('material_types')
      .select(['id', 'code'])
      .where('institution_id', '=', institutionId)
      .orderBy('code')
      .execute(),
    db
      .selectFrom('item_policies')
      .select(['id', 'code'])
      .where('institution_id', '=', institutionId)
      .orderBy('code')
      .execute(),
  ]);
  const withLocations = libraries
    .map((l) => ({ id: l.id, code: l.code, locations: locations.filter((loc) => loc.library_id === l.id) }))
    .filter((l) => l.locations.length > 0);
  const missing: string[] = [];
  if (withLocations.length === 0) missing.push('a library with a location');
  if (materialTypes.length === 0) missing.push('a material type');
  if (policies.length === 0) missing.push('an item policy');
  if (missing.length > 0) {
    throw refused(
      'INSTITUTION_NOT_READY_FOR_IMPORT',
      `Set up ${missing.join(', ')} before importing records.`,
      {
        missing,
      },
    );
  }
  const first = withLocations.find((l) => l.code.toUpperCase() === 'MAIN') ?? withLocations[0];
  const defaultPlace = placeIn(first as InstitutionSetup['libraries'][number], null);
  const types = new Map(materialTypes.map((m) => [m.code.toUpperCase(), m.id]));
  return {
    code: institution.code,
    libraries: withLocations.sort((a, b) => a.code.localeCompare(b.code)),
    defaultPlace,
    materialTypes: types,
    defaultMaterialTypeId: types.get('BOOK') ?? (materialTypes[0]?.id as string),
    itemPolicyId: (policies.find((p) => p.code.toUpperCase() === 'REGULAR') ?? policies[0])?.id as string,
  };
}

/** A location of the library: the one with this code, else STACKS, else its first. */
function placeIn(library: InstitutionSetup['libraries'][number], locationCode: string | null): Place {
  const wanted = locationCode?.toUpperCase();
  const location =
    library.locations.find((l) => l.code.toUpperCase() === wanted) ??
    library.locations.find((l) => l.code.toUpperCase() === 'STACKS') ??
    library.locations[0];
  return { libraryId: library.id, locationId: location?.id as string };
}

const MATERIAL_TYPE_BY_FORMAT: Record<string, string> = {
  book: 'BOOK',
  manuscript: 'BOOK',
  serial: 'SERIAL',
  score: 'SCORE',
  video: 'DVD',
};

/** The call number a record suggests when it has no local holdings: 090, 050 (LC) or 082 (Dewey). */
function suggestedCallNumber(record: MarcRecord): string {
  for (const tag of ['090', '050', '099', '082']) {
    const [field] = dataFields(record, tag);
    if (field) return cleanText(subfieldValues(field, 'a', 'b').join(' '));
  }
  return '';
}

function generatedBarcode(institutionCode: string, sourceId: string, n?: number): string {
  const suffix = n === undefined ? '' : `-${n}`;
  const base = `${institutionCode}-${sourceId.replace(/\s+/g, '-')}${suffix}`;
  return base.length <= MAX_BARCODE_LENGTH
    ? base
    : `${institutionCode}-${sha256(sourceId).slice(0, 24)}${suffix}`;
}

function planItems(
  record: MarcRecord,
  bib: BibFields,
  sourceId: string,
  setup: InstitutionSetup,
  options: { spread: boolean; barcodePrefix: string },
): { items: PlannedItem[]; warnings: string[] } {
  const { spread, barcodePrefix } = options;
  const warnings: string[] = [];
  const fallbackPlace = (locationCode: string | null): Place => {
    if (!spread) return setup.defaultPlace;
    const index = Number.parseInt(sha256(sourceId).slice(0, 8), 16) % setup.libraries.length;
    return placeIn(setup.libraries[index] as InstitutionSetup['libraries'][number], locationCode);
  };
  const materialTypeFor = (itemType: string | null) =>
    (itemType && setup.materialTypes.get(itemType.toUpperCase())) ||
    setup.materialTypes.get(MATERIAL_TYPE_BY_FORMAT[bib.format] ?? 'BOOK') ||
    setup.defaultMaterialTypeId;

  const local = localItems(record);
  if (local.length === 0) {
    return {
      items: [
        {
          ...fallbackPlace(null),
          barcode: generatedBarcode(setup.code, sourceId),
          callNumber: suggestedCallNumber(record),
          materialTypeId: materialTypeFor(null),
          itemPolicyId: setup.itemPolicyId,
          enumeration: '',
        },
      ],
      warnings,
    };
  }
  const items: PlannedItem[] = [];
  const seen = new Set<string>();
  local.forEach((copy: LocalItem, index) => {
    const library = setup.libraries.find((l) => l.code.toUpperCase() === copy.libraryCode?.toUpperCase());
    const place = library ? placeIn(library, copy.locationCode) : fallbackPlace(copy.locationCode);
    const fromFile = copy.barcode?.replace(/\s+/g, ' ').trim();
    let barcode = fromFile
      ? `${barcodePrefix}${fromFile}`
      : generatedBarcode(setup.code, sourceId, index + 1);
    if (barcode.length > MAX_BARCODE_LENGTH) {
      warnings.push(
        `${copy.tag}: barcode '${barcode.slice(0, 20)}…' is longer than 64 characters: a barcode was generated`,
      );
      barcode = generatedBarcode(setup.code, sourceId, index + 1);
    }
    if (seen.has(barcode)) {
      warnings.push(
        `${copy.tag}: barcode ${barcode} occurs twice in the record: the second copy was skipped`,
      );
      return;
    }
    seen.add(barcode);
    items.push({
      ...place,
      barcode,
      callNumber: copy.callNumber,
      materialTypeId: materialTypeFor(copy.itemType),
      itemPolicyId: setup.itemPolicyId,
      enumeration: copy.enumeration,
    });
  });
  return { items, warnings };
}

function prepare(
  result: MarcReadResult & { record: MarcRecord },
  setup: InstitutionSetup,
  options: { spread: boolean; barcodePrefix: string },
  copiesSeen: Map<string, number>,
): PreparedRecord {
  const marc = result.record;
  const canonical = JSON.stringify(marc);
  const bib = extractBibFields(marc);
  // A record without an 001 is known by its content (if it changes it becomes a new record);
  // the second identical one in a file is a second record, `hash:...-2`, in file order.
  let sourceId = bib.sourceId;
  if (!sourceId) {
    const hash = `hash:${sha256(canonical).slice(0, 24)}`;
    const copy = (copiesSeen.get(hash) ?? 0) + 1;
    copiesSeen.set(hash, copy);
    sourceId = copy === 1 ? hash : `${hash}-${copy}`;
  }
  const { items, warnings } = planItems(marc, bib, sourceId, setup, options);
  return {
    position: result.position,
    offset: result.offset,
    line: result.line,
    sourceId,
    contentHash: sha256(`${EXTRACTION_VERSION}\n${canonical}`),
    deleted: marc.leader[5] === 'd',
    marc,
    bib,
    workKey: workKey(marc),
    items,
    warnings: [
      ...result.warnings,
      ...(bib.sourceId ? [] : ['the record has no 001: it is known by a hash of its content']),
      ...warnings,
    ],
  };
}

function bibColumns(r: PreparedRecord) {
  const b = r.bib;
  return {
    source_id: r.sourceId,
    work_key: r.workKey,
    title: b.title,
    subtitle: b.subtitle,
    author: b.author,
    publisher: b.publisher,
    publication_year: b.publicationYear,
    edition: b.edition,
    language: b.language,
    format: b.format,
    isbns: b.isbns,
    issns: b.issns,
    oclc_numbers: b.oclcNumbers,
    subjects: b.subjects,
    marc: JSON.stringify(r.marc),
    content_hash: r.contentHash,
    search_document: searchDocumentSql({
      title: b.title,
      subtitle: b.subtitle,
      author: b.author,
      subjects: b.subjects,
      publisher: b.publisher,
      identifiers: [...b.isbns, ...b.issns, ...b.oclcNumbers],
    }),
  };
}

const problemOf = (r: PreparedRecord, severity: ProblemSeverity, reason: string): ImportProblem => ({
  record: r.position,
  offset: r.offset,
  ...(r.line === undefined ? {} : { line: r.line }),
  sourceId: r.sourceId,
  severity,
  reason,
});

const holdingKey = (p: { libraryId: string; locationId: string; callNumber: string }) =>
  `${p.libraryId}|${p.locationId}|${p.callNumber}`;

async function insertInChunks<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/**
 * GET-1: a record joins the work of the earliest record in the network that shares a standard
 * number with it: an ISBN first, then an ISSN, then an OCLC number. The pure `workKey` picks one
 * number per record, so two catalogues of one edition that list its ISBNs differently (hardback
 * and paperback, a library binding first), or where one has only the OCLC number, would
 * otherwise be two works. `known` carries identifier -> work key across the run's batches.
 * A record with a network identifier keeps its `net:` key.
 */
async function adoptWorkKeys(
  trx: Transaction<Database>,
  batch: PreparedRecord[],
  known: Map<string, string>,
) {
  const ids = (r: PreparedRecord) => [
    ...r.bib.isbns.map((v) => `isbn:${v}`),
    ...r.bib.issns.map((v) => `issn:${v}`),
    ...r.bib.oclcNumbers.map((v) => `oclc:${v}`),
  ];
  const open = batch.filter((r) => r.bib.networkIds.length === 0 && ids(r).some((id) => !known.has(id)));
  const isbns = [...new Set(open.flatMap((r) => r.bib.isbns))];
  const issns = [...new Set(open.flatMap((r) => r.bib.issns))];
  const oclcs = [...new Set(open.flatMap((r) => r.bib.oclcNumbers))];
  if (isbns.length + issns.length + oclcs.length > 0) {
    const rows = await trx
      .selectFrom('bib_records')
      .select(['work_key', 'isbns', 'issns', 'oclc_numbers'])
      .where(
        sql<boolean>`(isbns && ${isbns}::text[] OR issns && ${issns}::text[] OR oclc_numbers && ${oclcs}::text[])`,
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    for (const row of rows) {
      for (const v of row.isbns) if (!known.has(`isbn:${v}`)) known.set(`isbn:${v}`, row.work_key);
      for (const v of row.issns) if (!known.has(`issn:${v}`)) known.set(`issn:${v}`, row.work_key);
      for (const v of row.oclc_numbers) if (!known.has(`oclc:${v}`)) known.set(`oclc:${v}`, row.work_key);
    }
  }
  for (const r of batch) {
    if (r.bib.networkIds.length > 0) continue;
    const recordIds = ids(r);
    const adopted = recordIds.map((id) => known.get(id)).find((key) => key !== undefined);
    if (adopted) r.workKey = adopted;
    for (const id of recordIds) if (!known.has(id)) known.set(id, r.workKey);
  }
}

/** Saves one batch in one transaction; returns what happened, applied only if it commits. */
async function saveBatch(
  db: Db,
  institutionId: string,
  batch: PreparedRecord[],
  claimedBarcodes: ReadonlySet<string>,
  knownWorkKeys: Map<string, string>,
): Promise<BatchOutcome> {
  return db.transaction().execute(async (trx) => {
    // Two imports into one institution at once take turns batch by batch.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`shelfshare:import:${institutionId}`}))`.execute(trx);
    const outcome: BatchOutcome = {
      counts: { created: 0, updated: 0, unchanged: 0, rejected: 0 },
      problems: [],
      barcodes: [],
    };
    const existing = new Map(
      (
        await trx
          .selectFrom('bib_records')
          .select(['id', 'source_id', 'content_hash', 'withdrawn_at'])
          .where('institution_id', '=', institutionId)
          .where(
            'source_id',
            'in',
            batch.map((r) => r.sourceId),
          )
          .execute()
      ).map((row) => [row.source_id as string, row]),
    );
    const wanted = batch.flatMap((r) => r.items.map((i) => i.barcode));
    const barcodeOwner = new Map<string, string>();
    if (wanted.length > 0) {
      for (const row of await trx
        .selectFrom('items')
        .select(['barcode', 'bib_id'])
        .where('institution_id', '=', institutionId)
        .where('barcode', 'in', wanted)
        .execute()) {
        barcodeOwner.set(row.barcode, row.bib_id);
      }
    }
    const batchBarcodes = new Set<string>();
    const changed = batch.filter((r) => existing.get(r.sourceId)?.content_hash !== r.contentHash);
    await adoptWorkKeys(trx, changed, knownWorkKeys);
    /** Whether this copy's barcode is free for `bibId`; reports it when it is not. */
    const barcodeFree = (r: PreparedRecord, barcode: string, bibId: string) => {
      const owner = barcodeOwner.get(barcode);
      if (
        (owner !== undefined && owner !== bibId) ||
        (owner === undefined && (claimedBarcodes.has(barcode) || batchBarcodes.has(barcode)))
      ) {
        outcome.problems.push(
          problemOf(
            r,
            'warning',
            `barcode ${barcode} already belongs to another record: that copy was skipped`,
          ),
        );
        return false;
      }
      batchBarcodes.add(barcode);
      return true;
    };

    const newBibs: ReturnType<typeof bibColumns>[] = [];
    const newBibIds: string[] = [];
    const newHoldings: Insertable<HoldingsTable>[] = [];
    const newItems: Insertable<ItemsTable>[] = [];

    for (const r of batch) {
      const current = existing.get(r.sourceId);
      if (current && current.content_hash === r.contentHash) {
        outcome.counts.unchanged++;
        continue;
      }
      if (r.deleted) {
        if (!current) {
          // Nothing to delete: the record changes nothing.
          outcome.counts.unchanged++;
          outcome.problems.push(
            problemOf(r, 'warning', 'the record is marked deleted (leader/05 = d): not loaded'),
          );
          continue;
        }
        await withdrawBib(trx, institutionId, current.id, r);
        outcome.counts.updated++;
        outcome.problems.push(...r.warnings.map((w) => problemOf(r, 'warning', w)));
        outcome.problems.push(
          problemOf(r, 'warning', 'the record is marked deleted (leader/05 = d): withdrawn'),
        );
        continue;
      }
      outcome.problems.push(...r.warnings.map((w) => problemOf(r, 'warning', w)));
      if (!current) {
        const bibId = randomUUID();
        newBibs.push(bibColumns(r));
        newBibIds.push(bibId);
        const holdingIds = new Map<string, string>();
        for (const item of r.items) {
          if (!barcodeFree(r, item.barcode, bibId)) continue;
          const key = holdingKey(item);
          let holdingId = holdingIds.get(key);
          if (!holdingId) {
            holdingId = randomUUID();
            holdingIds.set(key, holdingId);
            newHoldings.push({
              id: holdingId,
              institution_id: institutionId,
              bib_id: bibId,
              library_id: item.libraryId,
              location_id: item.locationId,
              call_number: item.callNumber,
            });
          }
          newItems.push({
            institution_id: institutionId,
            holding_id: holdingId,
            bib_id: bibId,
            barcode: item.barcode,
            material_type_id: item.materialTypeId,
            item_policy_id: item.itemPolicyId,
            enumeration: item.enumeration,
          });
        }
        outcome.counts.created++;
      } else {
        await updateBib(
          trx,
          institutionId,
          current.id,
          r,
          (barcode) => barcodeFree(r, barcode, current.id),
          outcome,
        );
        outcome.counts.updated++;
      }
    }

    await insertInChunks(
      newBibs.map((columns, i) => ({
        id: newBibIds[i] as string,
        institution_id: institutionId,
        ...columns,
      })),
      200,
      (rows) => trx.insertInto('bib_records').values(rows).execute(),
    );
    await insertInChunks(newHoldings, 500, (rows) => trx.insertInto('holdings').values(rows).execute());
    await insertInChunks(newItems, 500, (rows) => trx.insertInto('items').values(rows).execute());
    outcome.barcodes = [...batchBarcodes];
    return outcome;
  });
}

async function withdrawBib(
  trx: Transaction<Database>,
  institutionId: string,
  bibId: string,
  r: PreparedRecord,
) {
  const now = new Date();
  await trx
    .updateTable('bib_records')
    .set({ withdrawn_at: now, content_hash: r.contentHash, marc: JSON.stringify(r.marc), updated_at: now })
    .where('institution_id', '=', institutionId)
    .where('id', '=', bibId)
    .execute();
  await trx
    .updateTable('items')
    .set({ withdrawn_at: now, updated_at: now })
    .where('institution_id', '=', institutionId)
    .where('bib_id', '=', bibId)
    .where('withdrawn_at', 'is', null)
    .where('in_place', '=', true)
    .execute();
}

/**
 * A changed record: its columns are rewritten and its copies brought in line with the file.
 * Copies are matched by barcode; a copy no longer in the record is withdrawn (kept for its
 * history), unless it is out on loan or otherwise not on the shelf, which is reported instead.
 */
async function updateBib(
  trx: Transaction<Database>,
  institutionId: string,
  bibId: string,
  r: PreparedRecord,
  barcodeFree: (barcode: string) => boolean,
  outcome: BatchOutcome,
) {
  const now = new Date();
  await trx
    .updateTable('bib_records')
    .set({ ...bibColumns(r), withdrawn_at: null, updated_at: now })
    .where('institution_id', '=', institutionId)
    .where('id', '=', bibId)
    .execute();
  const holdings = await trx
    .selectFrom('holdings')
    .select(['id', 'library_id', 'location_id', 'call_number'])
    .where('institution_id', '=', institutionId)
    .where('bib_id', '=', bibId)
    .execute();
  const holdingIds = new Map(
    holdings.map((h) => [
      holdingKey({ libraryId: h.library_id, locationId: h.location_id, callNumber: h.call_number }),
      h.id,
    ]),
  );
  const items = await trx
    .selectFrom('items')
    .select(['id', 'barcode', 'holding_id', 'material_type_id', 'enumeration', 'withdrawn_at', 'in_place'])
    .where('institution_id', '=', institutionId)
    .where('bib_id', '=', bibId)
    .execute();
  const byBarcode = new Map(items.map((i) => [i.barcode, i]));
  const holdingFor = async (item: PlannedItem) => {
    const key = holdingKey(item);
    const found = holdingIds.get(key);
    if (found) return found;
    const row = await trx
      .insertInto('holdings')
      .values({
        institution_id: institutionId,
        bib_id: bibId,
        library_id: item.libraryId,
        location_id: item.locationId,
        call_number: item.callNumber,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    holdingIds.set(key, row.id);
    return row.id;
  };
  const kept = new Set<string>();
  for (const planned of r.items) {
    const current = byBarcode.get(planned.barcode);
    if (current) {
      kept.add(current.id);
      const holdingId = await holdingFor(planned);
      if (
        current.holding_id !== holdingId ||
        current.material_type_id !== planned.materialTypeId ||
        current.enumeration !== planned.enumeration ||
        current.withdrawn_at !== null
      ) {
        await trx
          .updateTable('items')
          .set({
            holding_id: holdingId,
            material_type_id: planned.materialTypeId,
            enumeration: planned.enumeration,
            withdrawn_at: null,
            updated_at: now,
          })
          .where('institution_id', '=', institutionId)
          .where('id', '=', current.id)
          .execute();
      }
      continue;
    }
    if (!barcodeFree(planned.barcode)) continue;
    await trx
      .insertInto('items')
      .values({
        institution_id: institutionId,
        holding_id: await holdingFor(planned),
        bib_id: bibId,
        barcode: planned.barcode,
        material_type_id: planned.materialTypeId,
        item_policy_id: planned.itemPolicyId,
        enumeration: planned.enumeration,
      })
      .execute();
  }
  for (const item of items) {
    if (kept.has(item.id) || item.withdrawn_at !== null) continue;
    if (!item.in_place) {
      outcome.problems.push(
        problemOf(
          r,
          'warning',
          `copy ${item.barcode} is no longer in the record but is not on the shelf: left as it is`,
        ),
      );
      continue;
    }
    await trx
      .updateTable('items')
      .set({ withdrawn_at: now, updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', item.id)
      .execute();
  }
  // Holdings left with no copy at all (not even a withdrawn one) are removed.
  await trx
    .deleteFrom('holdings')
    .where('institution_id', '=', institutionId)
    .where('bib_id', '=', bibId)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('items').select('items.id').whereRef('items.holding_id', '=', 'holdings.id'))),
    )
    .execute();
}

/**
 * Imports one MARC file into an institution's catalogue and records the run in import_runs.
 * Returns what happened: records read, created, updated, unchanged and rejected, and every
 * problem with the record's position.
 */
export async function importMarcFile(db: Db, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const { institutionId, path } = options;
  const setup = await loadSetup(db, institutionId);
  const file = basename(path);
  const bytesTotal = (await stat(path)).size;
  const run = await db
    .insertInto('import_runs')
    .values({ institution_id: institutionId, file_name: file })
    .returning('id')
    .executeTakeFirstOrThrow();

  const counts: ImportCounts = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const problems: ImportProblem[] = [];
  const claimedBarcodes = new Set<string>();
  // Identifier -> work key across the run (adoptWorkKeys). An entry left by a batch that
  // failed still names a key made from that identifier, so it does no harm.
  const knownWorkKeys = new Map<string, string>();
  const firstSeen = new Map<string, { position: number; contentHash: string }>();
  const copiesSeen = new Map<string, number>();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let batch: PreparedRecord[] = [];
  let bytesRead = 0;
  const report = () => options.onProgress?.({ file, ...counts, bytesRead, bytesTotal });

  const apply = (outcome: BatchOutcome) => {
    counts.created += outcome.counts.created;
    counts.updated += outcome.counts.updated;
    counts.unchanged += outcome.counts.unchanged;
    counts.rejected += outcome.counts.rejected;
    problems.push(...outcome.problems);
    for (const b of outcome.barcodes) claimedBarcodes.add(b);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    try {
      apply(await saveBatch(db, institutionId, current, claimedBarcodes, knownWorkKeys));
    } catch {
      // One record the database refuses must not cost the batch: retry them one by one.
      for (const r of current) {
        try {
          apply(await saveBatch(db, institutionId, [r], claimedBarcodes, knownWorkKeys));
        } catch (error) {
          counts.rejected++;
          const message = ((error as Error).message ?? String(error)).split('\n')[0];
          problems.push(problemOf(r, 'error', `the database refused the record: ${message}`));
        }
      }
    }
    report();
  };

  const { from = 1, to = Number.POSITIVE_INFINITY } = options.records ?? {};
  for await (const result of readMarcFile(path)) {
    if (result.position < from) continue;
    if (result.position > to) break;
    counts.read++;
    bytesRead = result.offset;
    if (!result.record) {
      counts.rejected++;
      problems.push({
        record: result.position,
        offset: result.offset,
        ...(result.line === undefined ? {} : { line: result.line }),
        severity: 'error',
        reason: result.error ?? 'the record could not be read',
      });
      continue;
    }
    const prepared = prepare(
      result as MarcReadResult & { record: MarcRecord },
      setup,
      { spread: options.spreadOverLibraries ?? false, barcodePrefix: options.barcodePrefix ?? '' },
      copiesSeen,
    );
    // The same 001 twice in one file: an exact copy changes nothing; a different record is
    // refused, since either choice could be wrong and the result must not depend on re-runs.
    const earlier = firstSeen.get(prepared.sourceId);
    if (earlier !== undefined) {
      if (earlier.contentHash === prepared.contentHash) {
        counts.unchanged++;
        problems.push(
          problemOf(prepared, 'warning', `the same record as record ${earlier.position}: read once`),
        );
      } else {
        counts.rejected++;
        problems.push(
          problemOf(
            prepared,
            'error',
            `001 ${prepared.sourceId} was already read at record ${earlier.position} of this file, with other content: this one is skipped`,
          ),
        );
      }
      continue;
    }
    firstSeen.set(prepared.sourceId, { position: prepared.position, contentHash: prepared.contentHash });
    batch.push(prepared);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  bytesRead = bytesTotal;
  report();

  problems.sort((a, b) => (a.record ?? 0) - (b.record ?? 0));
  const stored =
    problems.length > MAX_STORED_PROBLEMS
      ? [
          ...problems.slice(0, MAX_STORED_PROBLEMS),
          {
            record: null,
            offset: null,
            severity: 'warning' as const,
            reason: `${problems.length - MAX_STORED_PROBLEMS} more problems not stored`,
          },
        ]
      : problems;
  await db
    .updateTable('import_runs')
    .set({
      finished_at: new Date(),
      records_read: counts.read,
      records_created: counts.created,
      records_updated: counts.updated,
      records_unchanged: counts.unchanged,
      records_rejected: counts.rejected,
      problems: JSON.stringify(stored),
    })
    .where('id', '=', run.id)
    .execute();
  return { runId: run.id, file, ...counts, problems, seconds: (Date.now() - started) / 1000 };
}
