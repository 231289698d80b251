import type { Db } from '../../src/server/db/database.ts';
import type { Member } from './cast.ts';
import { inventorySetup } from './catalogue.ts';
import type { Client } from './http.ts';

let sequence = 0;

/**
 * Another copy of a title: a holding at the library (the catalogue library by default, where
 * `buildItem` shelves; any library of the member gets a STACKS location on first use) and an
 * item on the shelf, optionally of a volume.
 */
export async function addCopy(
  db: Db,
  member: Member,
  options: { bibId: string; libraryId?: string; barcode?: string; enumeration?: string },
) {
  const institutionId = member.institution.id;
  const setup = await inventorySetup(db, member.institution);
  const libraryId = options.libraryId ?? setup.libraryId;
  let location = await db
    .selectFrom('locations')
    .select('id')
    .where('library_id', '=', libraryId)
    .where('code', '=', 'STACKS')
    .executeTakeFirst();
  location ??= await db
    .insertInto('locations')
    .values({ institution_id: institutionId, library_id: libraryId, code: 'STACKS', name: 'Stacks' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const n = ++sequence;
  const holding = await db
    .insertInto('holdings')
    .values({
      institution_id: institutionId,
      bib_id: options.bibId,
      library_id: libraryId,
      location_id: location.id,
      call_number: `QB ${n}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const barcode = options.barcode ?? `C${String(n).padStart(6, '0')}`;
  const item = await db
    .insertInto('items')
    .values({
      institution_id: institutionId,
      holding_id: holding.id,
      bib_id: options.bibId,
      barcode,
      enumeration: options.enumeration ?? '',
      material_type_id: setup.bookTypeId,
      item_policy_id: setup.regularPolicyId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { itemId: item.id, barcode, bibId: options.bibId, holdingId: holding.id, institutionId };
}

/** Staff places a request for a patron (CIRC-7). */
export const placeFor = (client: Client, body: Record<string, unknown>) =>
  client.post('/api/circulation/requests', { requestType: 'hold', ...body });

/** A return or scan-in at a desk (CIRC-6). */
export const scanIn = (client: Client, deskId: string, itemBarcode: string) =>
  client.post('/api/circulation/returns', { deskId, itemBarcode });

/** The item's state, as INV-2 sees it. */
export async function itemState(db: Db, itemId: string) {
  return db
    .selectFrom('items')
    .select(['in_place', 'process_type'])
    .where('id', '=', itemId)
    .executeTakeFirstOrThrow();
}

/** The request row's status, place and copy. */
export async function requestRow(db: Db, requestId: string) {
  return db
    .selectFrom('requests')
    .select(['status', 'queue_position', 'item_id', 'completed_loan_id', 'hold_shelf_expires_at', 'level'])
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
}

/** The letters of a type written to a patron (CIRC-12). */
export async function lettersTo(db: Db, patronId: string, type: string) {
  return db
    .selectFrom('letters')
    .select(['letter_type', 'subject', 'body', 'message_id'])
    .where('patron_id', '=', patronId)
    .where('letter_type', '=', type as never)
    .execute();
}

/** Counts of the rows a request use case writes, to show a refusal wrote nothing. */
export async function requestCounts(db: Db) {
  const count = async (table: 'requests' | 'transits' | 'item_history' | 'letters') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    requests: await count('requests'),
    transits: await count('transits'),
    history: await count('item_history'),
    letters: await count('letters'),
  };
}
