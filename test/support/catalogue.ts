import type { Db } from '../../src/server/db/database.ts';
import type { InstitutionRef } from './factories.ts';
import { buildInstitution } from './factories.ts';

let sequence = 0;

/**
 * The codes an institution's inventory needs (a library with a STACKS location, a BOOK
 * material type and a REGULAR item policy), made once per institution.
 */
export async function inventorySetup(db: Db, institution: InstitutionRef) {
  const existing = await db
    .selectFrom('locations as loc')
    .innerJoin('libraries as l', 'l.id', 'loc.library_id')
    .select(['loc.id as locationId', 'l.id as libraryId'])
    .where('loc.institution_id', '=', institution.id)
    .where('loc.code', '=', 'STACKS')
    .executeTakeFirst();
  const place =
    existing ??
    (await (async () => {
      const library = await db
        .insertInto('libraries')
        .values({
          institution_id: institution.id,
          code: `CAT${++sequence}`,
          name: `${institution.name} Catalogue Library`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const location = await db
        .insertInto('locations')
        .values({ institution_id: institution.id, library_id: library.id, code: 'STACKS', name: 'Stacks' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { locationId: location.id, libraryId: library.id };
    })());
  const code = async (table: 'material_types' | 'item_policies', value: string) => {
    const found = await db
      .selectFrom(table)
      .select('id')
      .where('institution_id', '=', institution.id)
      .where('code', '=', value)
      .executeTakeFirst();
    if (found) return found.id;
    const row = await db
      .insertInto(table)
      .values({ institution_id: institution.id, code: value, name: value })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  return {
    ...place,
    bookTypeId: await code('material_types', 'BOOK'),
    dvdTypeId: await code('material_types', 'DVD'),
    regularPolicyId: await code('item_policies', 'REGULAR'),
  };
}

export interface BuiltItem {
  bibId: string;
  holdingId: string;
  itemId: string;
  barcode: string;
  institutionId: string;
}

/**
 * An item on the shelf with the record and holding it needs. The record's work key and
 * search document are those the inventory API would compute, written straight to the
 * database so tests that are not about cataloguing stay fast.
 */
export async function buildItem(
  db: Db,
  options: {
    institution?: InstitutionRef;
    title?: string;
    author?: string;
    workKey?: string;
    barcode?: string;
    year?: number;
    materialType?: 'BOOK' | 'DVD';
    inPlace?: boolean;
  } = {},
): Promise<BuiltItem> {
  const institution = options.institution ?? (await buildInstitution(db));
  const setup = await inventorySetup(db, institution);
  const n = ++sequence;
  const title = options.title ?? `Test title ${n}`;
  const { searchDocumentSql } = await import('../../src/server/catalogue/search-document.ts');
  const bib = await db
    .insertInto('bib_records')
    .values({
      institution_id: institution.id,
      work_key: options.workKey ?? `test:${n}`,
      title,
      author: options.author ?? '',
      publication_year: options.year ?? null,
      search_document: searchDocumentSql({ title, author: options.author ?? '' }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const holding = await db
    .insertInto('holdings')
    .values({
      institution_id: institution.id,
      bib_id: bib.id,
      library_id: setup.libraryId,
      location_id: setup.locationId,
      call_number: `QA ${n}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const barcode = options.barcode ?? `B${String(n).padStart(6, '0')}`;
  const item = await db
    .insertInto('items')
    .values({
      institution_id: institution.id,
      holding_id: holding.id,
      bib_id: bib.id,
      barcode,
      material_type_id: options.materialType === 'DVD' ? setup.dvdTypeId : setup.bookTypeId,
      item_policy_id: setup.regularPolicyId,
      in_place: options.inPlace ?? true,
      process_type: options.inPlace === false ? 'loan' : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { bibId: bib.id, holdingId: holding.id, itemId: item.id, barcode, institutionId: institution.id };
}
