import type { Transaction } from 'kysely';
import { normaliseIsbn, normaliseIssn } from '../catalogue/identifiers.ts';
import { searchDocumentSql } from '../catalogue/search-document.ts';
import { workKeyForFields } from '../catalogue/work-key.ts';
import type { CommandContext } from '../config/commands.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { notFound, refused } from '../shared/errors.ts';
import { invalidFields } from '../shared/validation.ts';
import { describeItemStatus } from './item-status.ts';
import type { BibCreate, BibUpdate, ItemCreate, ItemUpdate } from './schemas.ts';

type Executor = Db | Transaction<Database>;

/** Items with everything a desk shows about them; `where` narrows the query. */
function itemQuery(db: Executor) {
  return db
    .selectFrom('items as i')
    .innerJoin('holdings as h', (j) =>
      j.onRef('h.id', '=', 'i.holding_id').onRef('h.institution_id', '=', 'i.institution_id'),
    )
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.id', '=', 'i.bib_id').onRef('b.institution_id', '=', 'i.institution_id'),
    )
    .innerJoin('libraries as l', 'l.id', 'h.library_id')
    .innerJoin('locations as loc', 'loc.id', 'h.location_id')
    .innerJoin('material_types as m', 'm.id', 'i.material_type_id')
    .innerJoin('item_policies as p', 'p.id', 'i.item_policy_id')
    .innerJoin('institutions as inst', 'inst.id', 'i.institution_id')
    .select([
      'i.id',
      'i.institution_id',
      'inst.code as institution_code',
      'i.barcode',
      'i.bib_id',
      'i.holding_id',
      'b.title',
      'b.author',
      'h.call_number',
      'l.id as library_id',
      'l.code as library_code',
      'l.name as library_name',
      'loc.id as location_id',
      'loc.code as location_code',
      'loc.name as location_name',
      'm.id as material_type_id',
      'm.code as material_type_code',
      'm.name as material_type_name',
      'p.id as item_policy_id',
      'p.code as item_policy_code',
      'p.name as item_policy_name',
      'i.enumeration',
      'i.chronology',
      'i.description',
      'i.in_place',
      'i.process_type',
      'i.withdrawn_at',
    ]);
}

type ItemRow = Awaited<ReturnType<ReturnType<typeof itemQuery>['executeTakeFirstOrThrow']>>;

function presentItem(r: ItemRow) {
  return {
    id: r.id,
    institutionId: r.institution_id,
    institutionCode: r.institution_code,
    barcode: r.barcode,
    bibId: r.bib_id,
    holdingId: r.holding_id,
    title: r.title,
    author: r.author,
    callNumber: r.call_number,
    library: { id: r.library_id, code: r.library_code, name: r.library_name },
    location: { id: r.location_id, code: r.location_code, name: r.location_name },
    materialType: { id: r.material_type_id, code: r.material_type_code, name: r.material_type_name },
    itemPolicy: { id: r.item_policy_id, code: r.item_policy_code, name: r.item_policy_name },
    enumeration: r.enumeration,
    chronology: r.chronology,
    description: r.description,
    processType: r.process_type,
    ...describeItemStatus({
      inPlace: r.in_place,
      processType: r.process_type,
      withdrawn: r.withdrawn_at !== null,
    }),
    withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
  };
}

export async function getItem(db: Executor, institutionId: string, itemId: string) {
  const row = await itemQuery(db)
    .where('i.institution_id', '=', institutionId)
    .where('i.id', '=', itemId)
    .executeTakeFirst();
  if (!row) throw notFound('ITEM_NOT_FOUND', 'No such item in this institution.', { itemId });
  return presentItem(row);
}

/** CIRC-1: an item's state read by its barcode (unique within the institution). */
export async function getItemByBarcode(db: Db, institutionId: string, barcode: string) {
  const row = await itemQuery(db)
    .where('i.institution_id', '=', institutionId)
    .where('i.barcode', '=', barcode)
    .executeTakeFirst();
  if (!row) throw notFound('ITEM_NOT_FOUND', `No item with barcode ${barcode} here.`, { barcode });
  return presentItem(row);
}

export async function getBib(db: Executor, institutionId: string, bibId: string) {
  const bib = await db
    .selectFrom('bib_records')
    .select([
      'id',
      'institution_id',
      'source_id',
      'work_key',
      'title',
      'subtitle',
      'author',
      'publisher',
      'publication_year',
      'edition',
      'language',
      'format',
      'isbns',
      'issns',
      'oclc_numbers',
      'subjects',
      'withdrawn_at',
    ])
    .where('institution_id', '=', institutionId)
    .where('id', '=', bibId)
    .executeTakeFirst();
  if (!bib) throw notFound('BIB_NOT_FOUND', 'No such bibliographic record in this institution.', { bibId });
  const holdings = await db
    .selectFrom('holdings as h')
    .innerJoin('libraries as l', 'l.id', 'h.library_id')
    .innerJoin('locations as loc', 'loc.id', 'h.location_id')
    .select([
      'h.id',
      'h.call_number',
      'l.id as library_id',
      'l.code as library_code',
      'l.name as library_name',
      'loc.id as location_id',
      'loc.code as location_code',
      'loc.name as location_name',
    ])
    .where('h.institution_id', '=', institutionId)
    .where('h.bib_id', '=', bibId)
    .orderBy('l.name')
    .orderBy('h.call_number')
    .execute();
  const items = (
    await itemQuery(db)
      .where('i.institution_id', '=', institutionId)
      .where('i.bib_id', '=', bibId)
      .orderBy('i.enumeration')
      .orderBy('i.barcode')
      .execute()
  ).map(presentItem);
  return {
    id: bib.id,
    institutionId: bib.institution_id,
    sourceId: bib.source_id,
    workKey: bib.work_key,
    title: bib.title,
    subtitle: bib.subtitle,
    author: bib.author,
    publisher: bib.publisher,
    publicationYear: bib.publication_year,
    edition: bib.edition,
    language: bib.language,
    format: bib.format,
    isbns: bib.isbns,
    issns: bib.issns,
    oclcNumbers: bib.oclc_numbers,
    subjects: bib.subjects,
    withdrawnAt: bib.withdrawn_at?.toISOString() ?? null,
    holdings: holdings.map((h) => ({
      id: h.id,
      bibId,
      callNumber: h.call_number,
      library: { id: h.library_id, code: h.library_code, name: h.library_name },
      location: { id: h.location_id, code: h.location_code, name: h.location_name },
      items: items.filter((i) => i.holdingId === h.id),
    })),
  };
}

interface BibFields {
  title: string;
  subtitle: string;
  author: string;
  publisher: string;
  publicationYear: number | null;
  edition: string;
  language: string | null;
  format: string;
  isbns: string[];
  issns: string[];
  oclcNumbers: string[];
  subjects: string[];
}

function bibColumns(bib: BibFields) {
  return {
    title: bib.title,
    subtitle: bib.subtitle,
    author: bib.author,
    publisher: bib.publisher,
    publication_year: bib.publicationYear,
    edition: bib.edition,
    language: bib.language,
    format: bib.format,
    isbns: bib.isbns,
    issns: bib.issns,
    oclc_numbers: bib.oclcNumbers,
    subjects: bib.subjects,
    // GET-1: the same work held by several members is one work.
    work_key: workKeyForFields({
      oclcNumbers: bib.oclcNumbers,
      isbns: bib.isbns,
      issns: bib.issns,
      title: bib.title,
      author: bib.author,
      year: bib.publicationYear,
    }),
    search_document: searchDocumentSql({
      title: bib.title,
      subtitle: bib.subtitle,
      author: bib.author,
      subjects: bib.subjects,
      publisher: bib.publisher,
      identifiers: [...bib.isbns, ...bib.issns, ...bib.oclcNumbers],
    }),
  };
}

const BIB_DEFAULTS: Omit<BibFields, 'title'> = {
  subtitle: '',
  author: '',
  publisher: '',
  publicationYear: null,
  edition: '',
  language: null,
  format: 'book',
  isbns: [],
  issns: [],
  oclcNumbers: [],
  subjects: [],
};

function stripUndefined<T extends object>(input: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as never;
}

/**
 * Standard numbers are stored normalised (ISBN-13, NNNN-NNNC, OCLC digits) so that search and
 * the work key meet the imported records; a number that is not valid is refused by name.
 */
function normaliseIdentifiers<T extends Partial<Pick<BibFields, 'isbns' | 'issns' | 'oclcNumbers'>>>(
  input: T,
): T {
  const problems: { field: string; message: string }[] = [];
  const normalise = (
    field: 'isbns' | 'issns' | 'oclcNumbers',
    fn: (v: string) => string | undefined,
    what: string,
  ) =>
    input[field]?.map((value, i) => {
      const normal = fn(value);
      if (!normal) problems.push({ field: `${field}.${i}`, message: `is not a valid ${what}` });
      return normal ?? value;
    });
  const out = {
    ...input,
    ...(input.isbns ? { isbns: normalise('isbns', normaliseIsbn, 'ISBN') } : {}),
    ...(input.issns ? { issns: normalise('issns', normaliseIssn, 'ISSN') } : {}),
    ...(input.oclcNumbers
      ? { oclcNumbers: normalise('oclcNumbers', (v) => v.replace(/^0+(?=\d)/, ''), 'OCLC number') }
      : {}),
  };
  if (problems.length) throw invalidFields(problems);
  return out;
}

/** CIRC-1: catalogues a record by hand. */
export async function createBib(ctx: CommandContext, institutionId: string, input: BibCreate) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('bib_records')
      .values({
        institution_id: institutionId,
        ...bibColumns({ ...BIB_DEFAULTS, ...stripUndefined(normaliseIdentifiers(input)) }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return getBib(trx, institutionId, row.id);
  });
}

export async function updateBib(
  ctx: CommandContext,
  institutionId: string,
  bibId: string,
  changes: BibUpdate,
) {
  return ctx.db.transaction().execute(async (trx) => {
    const current = await getBib(trx, institutionId, bibId);
    const merged: BibFields = { ...current, ...stripUndefined(normaliseIdentifiers(changes)) };
    await trx
      .updateTable('bib_records')
      .set({ ...bibColumns(merged), updated_at: new Date() })
      .where('institution_id', '=', institutionId)
      .where('id', '=', bibId)
      .execute();
    return getBib(trx, institutionId, bibId);
  });
}

async function lockActiveItems(
  trx: Transaction<Database>,
  institutionId: string,
  column: 'bib_id' | 'id',
  id: string,
) {
  return trx
    .selectFrom('items')
    .select(['id', 'barcode', 'in_place', 'process_type'])
    .where('institution_id', '=', institutionId)
    .where(column, '=', id)
    .where('withdrawn_at', 'is', null)
    .forUpdate()
    .execute();
}

/**
 * Withdraws a record and its items from the collection. Refused while any item is out of
 * place (on loan, in transit, on the hold shelf...): that work must end first.
 */
export async function withdrawBib(ctx: CommandContext, institutionId: string, bibId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    await getBib(trx, institutionId, bibId);
    const items = await lockActiveItems(trx, institutionId, 'bib_id', bibId);
    const busy = items.filter((i) => !i.in_place);
    if (busy.length) {
      throw refused(
        'ITEMS_IN_CIRCULATION',
        'Some items are not on the shelf; withdraw them when they are back.',
        {
          reasons: busy.map((i) => ({ barcode: i.barcode, processType: i.process_type })),
        },
      );
    }
    const now = new Date();
    await trx
      .updateTable('items')
      .set({ withdrawn_at: now, updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('bib_id', '=', bibId)
      .where('withdrawn_at', 'is', null)
      .execute();
    await trx
      .updateTable('bib_records')
      .set({ withdrawn_at: now, updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', bibId)
      .execute();
    return getBib(trx, institutionId, bibId);
  });
}

async function requireLocation(trx: Executor, institutionId: string, locationId: string) {
  const location = await trx
    .selectFrom('locations')
    .select(['id', 'library_id'])
    .where('institution_id', '=', institutionId)
    .where('id', '=', locationId)
    .executeTakeFirst();
  if (!location)
    throw invalidFields([{ field: 'locationId', message: 'is not a location of this institution' }]);
  return location;
}

export async function createHolding(
  ctx: CommandContext,
  institutionId: string,
  input: { bibId: string; locationId: string; callNumber?: string },
) {
  return ctx.db.transaction().execute(async (trx) => {
    const bib = await trx
      .selectFrom('bib_records')
      .select('id')
      .where('institution_id', '=', institutionId)
      .where('id', '=', input.bibId)
      .executeTakeFirst();
    if (!bib)
      throw invalidFields([{ field: 'bibId', message: 'is not a bibliographic record of this institution' }]);
    const location = await requireLocation(trx, institutionId, input.locationId);
    const row = await trx
      .insertInto('holdings')
      .values({
        institution_id: institutionId,
        bib_id: input.bibId,
        library_id: location.library_id,
        location_id: location.id,
        call_number: input.callNumber ?? '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const view = await getBib(trx, institutionId, input.bibId);
    return view.holdings.find((h) => h.id === row.id) as (typeof view.holdings)[number];
  });
}

export async function updateHolding(
  ctx: CommandContext,
  institutionId: string,
  holdingId: string,
  changes: { locationId?: string; callNumber?: string },
) {
  return ctx.db.transaction().execute(async (trx) => {
    const holding = await trx
      .selectFrom('holdings')
      .select(['id', 'bib_id'])
      .where('institution_id', '=', institutionId)
      .where('id', '=', holdingId)
      .forUpdate()
      .executeTakeFirst();
    if (!holding) throw notFound('HOLDING_NOT_FOUND', 'No such holding in this institution.', { holdingId });
    const location = changes.locationId
      ? await requireLocation(trx, institutionId, changes.locationId)
      : undefined;
    await trx
      .updateTable('holdings')
      .set({
        ...(location ? { location_id: location.id, library_id: location.library_id } : {}),
        ...(changes.callNumber !== undefined ? { call_number: changes.callNumber } : {}),
        updated_at: new Date(),
      })
      .where('institution_id', '=', institutionId)
      .where('id', '=', holdingId)
      .execute();
    const view = await getBib(trx, institutionId, holding.bib_id);
    return view.holdings.find((h) => h.id === holdingId) as (typeof view.holdings)[number];
  });
}

export async function createItem(ctx: CommandContext, institutionId: string, input: ItemCreate) {
  return ctx.db.transaction().execute(async (trx) => {
    const holding = await trx
      .selectFrom('holdings')
      .select(['id', 'bib_id'])
      .where('institution_id', '=', institutionId)
      .where('id', '=', input.holdingId)
      .executeTakeFirst();
    if (!holding)
      throw invalidFields([{ field: 'holdingId', message: 'is not a holding of this institution' }]);
    // Barcodes are unique within the institution (CIRC-1): the database refuses a duplicate with 409.
    const row = await trx
      .insertInto('items')
      .values({
        institution_id: institutionId,
        holding_id: holding.id,
        bib_id: holding.bib_id,
        barcode: input.barcode,
        material_type_id: input.materialTypeId,
        item_policy_id: input.itemPolicyId,
        enumeration: input.enumeration ?? '',
        chronology: input.chronology ?? '',
        description: input.description ?? '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return getItem(trx, institutionId, row.id);
  });
}

export async function updateItem(
  ctx: CommandContext,
  institutionId: string,
  itemId: string,
  changes: ItemUpdate,
) {
  return ctx.db.transaction().execute(async (trx) => {
    const [item] = await lockActiveItems(trx, institutionId, 'id', itemId);
    if (!item)
      throw notFound('ITEM_NOT_FOUND', 'No such item in this institution (or it was withdrawn).', { itemId });
    await trx
      .updateTable('items')
      .set({
        ...(changes.barcode !== undefined ? { barcode: changes.barcode } : {}),
        ...(changes.materialTypeId !== undefined ? { material_type_id: changes.materialTypeId } : {}),
        ...(changes.itemPolicyId !== undefined ? { item_policy_id: changes.itemPolicyId } : {}),
        ...(changes.enumeration !== undefined ? { enumeration: changes.enumeration } : {}),
        ...(changes.chronology !== undefined ? { chronology: changes.chronology } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        updated_at: new Date(),
      })
      .where('institution_id', '=', institutionId)
      .where('id', '=', itemId)
      .execute();
    return getItem(trx, institutionId, itemId);
  });
}

/** Withdraws one item; refused while it is out of place. */
export async function withdrawItem(ctx: CommandContext, institutionId: string, itemId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const [item] = await lockActiveItems(trx, institutionId, 'id', itemId);
    if (!item)
      throw notFound('ITEM_NOT_FOUND', 'No such item in this institution (or it was withdrawn).', { itemId });
    if (!item.in_place) {
      throw refused('ITEMS_IN_CIRCULATION', 'The item is not on the shelf; withdraw it when it is back.', {
        reasons: [{ barcode: item.barcode, processType: item.process_type }],
      });
    }
    await trx
      .updateTable('items')
      .set({ withdrawn_at: new Date(), updated_at: new Date() })
      .where('institution_id', '=', institutionId)
      .where('id', '=', itemId)
      .execute();
    return getItem(trx, institutionId, itemId);
  });
}
