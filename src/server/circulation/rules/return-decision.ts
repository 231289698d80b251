/** Where a returned or scanned-in item goes next (CIRC-6), as data. */
export type ReturnDecision =
  /** The next request picks up here: put the item on this library's hold shelf. */
  | { kind: 'hold_shelf'; requestId: string; libraryId: string }
  /** Fulfil a request at its pickup library (CIRC-9 keeps a request transit's destination). */
  | { kind: 'transit'; reason: 'request'; toLibraryId: string; requestId: string }
  /** Send the item home: to its owner from another institution, or to its home library within the owner. */
  | { kind: 'transit'; reason: 'return_to_owner' | 'home_library'; toLibraryId: string }
  /** The item is home: back on the shelf. */
  | { kind: 'reshelve'; libraryId: string };

export interface ReturnDecisionInput {
  item: { owningInstitutionId: string; homeLibraryId: string };
  /** Where the operator scanned it. */
  scannedAt: { institutionId: string; libraryId: string };
  /** The request next in the item's (or its title's) queue that this item can fill, or null. */
  nextRequest: null | {
    requestId: string;
    patronId: string;
    pickupLibraryId: string;
    pickupInstitutionId: string;
  };
  /** An open transit of the item for a request (CIRC-9), or null. */
  openTransitForRequest: null | { requestId: string; toLibraryId: string };
}

/**
 * CIRC-6 / CIRC-9 / FN-6: the one rule for the next step of a returned or scanned-in item.
 * 1. An item in transit for a request keeps its destination: the hold shelf when scanned
 *    there, else on in transit to it.
 * 2. Else the next request: the hold shelf here when it picks up here, else straight to its
 *    pickup library, in whatever institution (FN-6: no detour home).
 * 3. Else home: to the owner's home library from another institution (return_to_owner), or
 *    from another library of the owner (home_library).
 * 4. Else reshelve here.
 */
export function decideReturn(input: ReturnDecisionInput): ReturnDecision {
  const { item, scannedAt, nextRequest, openTransitForRequest } = input;
  if (openTransitForRequest) {
    const { requestId, toLibraryId } = openTransitForRequest;
    return toLibraryId === scannedAt.libraryId
      ? { kind: 'hold_shelf', requestId, libraryId: toLibraryId }
      : { kind: 'transit', reason: 'request', toLibraryId, requestId };
  }
  if (nextRequest) {
    const { requestId, pickupLibraryId } = nextRequest;
    return pickupLibraryId === scannedAt.libraryId
      ? { kind: 'hold_shelf', requestId, libraryId: pickupLibraryId }
      : { kind: 'transit', reason: 'request', toLibraryId: pickupLibraryId, requestId };
  }
  if (scannedAt.institutionId !== item.owningInstitutionId) {
    return { kind: 'transit', reason: 'return_to_owner', toLibraryId: item.homeLibraryId };
  }
  if (scannedAt.libraryId !== item.homeLibraryId) {
    return { kind: 'transit', reason: 'home_library', toLibraryId: item.homeLibraryId };
  }
  return { kind: 'reshelve', libraryId: item.homeLibraryId };
}

/** Display names for the operator's words, filled by the use case. */
export interface NextStepNames {
  /** Library id -> its full name as staff say it, e.g. 'South College, Science Library'. */
  libraries: Readonly<Record<string, string>>;
  /** Request id -> the requester's name as this desk may show it (PAT-8), for the hold shelf. */
  requesters?: Readonly<Record<string, string>>;
}

/** CIRC-6: what the operator is told to do, in plain words. Unknown names fall back to the id. */
export function describeNextStep(decision: ReturnDecision, names: NextStepNames): string {
  const library = (id: string) => names.libraries[id] ?? id;
  switch (decision.kind) {
    case 'hold_shelf': {
      const requester = names.requesters?.[decision.requestId];
      return requester
        ? `Place on the hold shelf for ${requester}`
        : `Place on the hold shelf for request ${decision.requestId}`;
    }
    case 'transit':
      return `Put in transit to ${library(decision.toLibraryId)}`;
    case 'reshelve':
      return `Reshelve at ${library(decision.libraryId)}`;
  }
}
