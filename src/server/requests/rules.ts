import { type Refusal, refusal } from '../circulation/rules/refusal.ts';
import type { PickupLocationPolicy } from '../db/schema.ts';
import { isExpired } from '../patrons/rules.ts';

/**
 * The pure rules of requests (CIRC-7, CIRC-2): who may request what for pickup where. The use
 * case loads the data, these decide; every refusal is reported at once (422 REQUEST_REFUSED).
 */

export type RequestRefusalCode =
  | 'PATRON_INACTIVE'
  | 'PATRON_EXPIRED'
  | 'PATRON_BLOCKED'
  | 'TITLE_WITHDRAWN'
  | 'ITEM_WITHDRAWN'
  | 'NO_COPIES'
  | 'REQUESTS_NOT_ALLOWED'
  | 'PICKUP_NOT_ALLOWED'
  | 'NOTHING_TO_PAGE'
  | 'ALREADY_ON_LOAN_TO_PATRON';

export type RequestRefusal = Refusal<RequestRefusalCode>;

/** One copy that could fill the request, with what the owner's terms of use say of it for this patron. */
export interface CopyForRequest {
  itemId: string;
  /** The library holding the copy (its home library). */
  homeLibraryId: string;
  /** In place, not withdrawn, not targeted by another request, not left on a hold shelf. */
  available: boolean;
  /** CIRC-2: the terms of use for this patron and copy allow requests. */
  requestsAllowed: boolean;
  pickupPolicy: PickupLocationPolicy;
  /** On loan to the requesting patron right now. */
  onLoanToPatron: boolean;
}

export interface RequestCheckInput {
  /** The owner's calendar day, 'YYYY-MM-DD'. */
  today: string;
  requestType: 'hold' | 'page';
  level: 'title' | 'item';
  ownerInstitutionId: string;
  pickup: { institutionId: string; libraryId: string };
  patron: {
    status: 'active' | 'inactive';
    expiryDate: string | null;
    blocks: readonly { type: string; reason: string }[];
  };
  titleWithdrawn: boolean;
  /** For an item request: whether that item is withdrawn. */
  itemWithdrawn: boolean;
  /** The copies of the title and volume (title request) or the one item (item request), withdrawn ones left out. */
  copies: readonly CopyForRequest[];
}

/**
 * CIRC-2 pickup-location policy: `own_library` — the library holding the copy; `any_library`
 * — any library of the owner. `any_institution` allows the libraries of other members too,
 * but network pickup comes with the network issues (FN-2): until then it acts as
 * `any_library`.
 */
export function pickupAllowed(
  copy: Pick<CopyForRequest, 'homeLibraryId' | 'pickupPolicy'>,
  ownerInstitutionId: string,
  pickup: { institutionId: string; libraryId: string },
): boolean {
  if (pickup.institutionId !== ownerInstitutionId) return false;
  if (copy.pickupPolicy === 'own_library') return pickup.libraryId === copy.homeLibraryId;
  return true;
}

/** The copies this patron may request for this pickup library (CIRC-2). */
export function requestableCopies<C extends CopyForRequest>(
  input: Omit<RequestCheckInput, 'copies'> & { copies: readonly C[] },
): C[] {
  return input.copies.filter(
    (c) => c.requestsAllowed && pickupAllowed(c, input.ownerInstitutionId, input.pickup),
  );
}

/**
 * CIRC-7 / CIRC-2 / PAT-7: every reason to refuse a request, all at once (none: place it).
 * Blocks and expiry stop requests as they stop loans; none of these is overridable.
 */
export function collectRequestRefusals(input: RequestCheckInput): RequestRefusal[] {
  const out: RequestRefusal[] = [];
  const { patron } = input;
  if (patron.status === 'inactive') out.push(refusal('PATRON_INACTIVE', "The patron's record is inactive."));
  if (isExpired(patron.expiryDate, input.today)) {
    out.push(
      refusal('PATRON_EXPIRED', `The patron's account expired on ${patron.expiryDate}.`, {
        expiryDate: patron.expiryDate,
      }),
    );
  }
  if (patron.blocks.length > 0) {
    const listed = patron.blocks.map((b) => (b.reason ? `${b.type} (${b.reason})` : b.type)).join('; ');
    out.push(
      refusal('PATRON_BLOCKED', `The patron is blocked: ${listed}.`, {
        blocks: patron.blocks.map((b) => ({ type: b.type, reason: b.reason })),
      }),
    );
  }
  if (input.titleWithdrawn) out.push(refusal('TITLE_WITHDRAWN', 'The title has been withdrawn.'));
  if (input.level === 'item' && input.itemWithdrawn) {
    out.push(refusal('ITEM_WITHDRAWN', 'The item has been withdrawn from the collection.'));
  }
  if (input.titleWithdrawn || (input.level === 'item' && input.itemWithdrawn)) return out;
  if (input.copies.length === 0) {
    out.push(refusal('NO_COPIES', 'The institution holds no copy of this title and volume to request.'));
    return out;
  }
  if (input.copies.some((c) => c.onLoanToPatron)) {
    out.push(
      refusal(
        'ALREADY_ON_LOAN_TO_PATRON',
        input.level === 'item'
          ? 'The patron has this item on loan already.'
          : 'The patron has a copy of this title on loan already.',
      ),
    );
  }
  const allowed = input.copies.filter((c) => c.requestsAllowed);
  if (allowed.length === 0) {
    out.push(
      refusal('REQUESTS_NOT_ALLOWED', 'The terms of use do not allow this patron to request this title.'),
    );
    return out;
  }
  const requestable = requestableCopies(input);
  if (requestable.length === 0) {
    out.push(
      refusal(
        'PICKUP_NOT_ALLOWED',
        input.pickup.institutionId !== input.ownerInstitutionId
          ? 'Pickup at another institution is not offered yet (network requests come later).'
          : 'The pickup-location policy does not allow pickup at this library.',
        {
          pickupLibraryId: input.pickup.libraryId,
          policies: [...new Set(allowed.map((c) => c.pickupPolicy))],
        },
      ),
    );
    return out;
  }
  if (input.requestType === 'page' && !requestable.some((c) => c.available)) {
    out.push(
      refusal(
        'NOTHING_TO_PAGE',
        'A page needs an available copy on the shelf; none is available now. Place a hold instead.',
      ),
    );
  }
  return out;
}

/**
 * CIRC-7: the copy a title request is targeted at: an available requestable copy, preferring
 * one held at the pickup library (no transit needed), then the lowest barcode (stable).
 */
export function chooseTarget<C extends CopyForRequest & { barcode: string }>(
  copies: readonly C[],
  pickupLibraryId: string,
): C | null {
  const available = copies.filter((c) => c.available);
  available.sort((a, b) => {
    const here = Number(b.homeLibraryId === pickupLibraryId) - Number(a.homeLibraryId === pickupLibraryId);
    return here !== 0 ? here : a.barcode < b.barcode ? -1 : a.barcode > b.barcode ? 1 : 0;
  });
  return available[0] ?? null;
}

/** CIRC-7: a request on the queue, as the fill rule needs it. */
export interface QueuedRequest {
  id: string;
  level: 'title' | 'item';
  status: string;
  itemId: string | null;
  volume: string;
  queuePosition: number | null;
}

/**
 * CIRC-6 / CIRC-7: the request a copy coming back fills: the first in queue order that is
 * waiting (not_started) and either asks for this very item, or is a title request of the
 * copy's volume not yet targeted at another copy. Nobody jumps the queue: position decides.
 */
export function nextRequestFor<R extends QueuedRequest>(
  queue: readonly R[],
  item: { id: string; enumeration: string },
): R | null {
  const waiting = queue
    .filter((r) => r.status === 'not_started')
    .filter((r) =>
      r.level === 'item'
        ? r.itemId === item.id
        : r.volume === item.enumeration && (r.itemId === null || r.itemId === item.id),
    )
    .sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
  return waiting[0] ?? null;
}
