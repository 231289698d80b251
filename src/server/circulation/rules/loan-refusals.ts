import type { ProcessType } from '../../db/schema.ts';
import { isExpired } from '../../patrons/rules.ts';
import { overridableRefusal, type Refusal, refusal } from './refusal.ts';

/** One row of `loan_limits` (CIRC-2). A null user group or material type applies to all. */
export interface LoanLimit {
  id: string;
  /** 'institution': the patron's loans at this institution; 'network': across all members. */
  scope: 'institution' | 'network';
  userGroupId: string | null;
  materialTypeId: string | null;
  maxLoans: number;
}

/** A limit with the patron's current count of active loans under it, counted by the use case. */
export interface LoanLimitCount extends LoanLimit {
  currentLoans: number;
}

export interface LoanCheckInput {
  /** The lending library's calendar day 'YYYY-MM-DD'. */
  today: string;
  item: {
    exists: boolean;
    withdrawn: boolean;
    inPlace: boolean;
    processType: ProcessType | null;
    /** The patron a request holds the item for (picked, in transit or on the hold shelf for it), or null. */
    heldForPatronId: string | null;
    materialTypeId: string | null;
  };
  patron: {
    id: string;
    userGroupId: string;
    expiryDate: string | null;
    status: 'active' | 'inactive';
    /** Active blocks of the account, including network blocks carried from the home record (PAT-7). */
    blocks: readonly { type: string; reason: string }[];
  };
  /** The terms of use selected for the patron and item (CIRC-2); null when the item is unknown. */
  terms: { loanable: boolean } | null;
  /** CIRC-4: another patron's open request targets this on-shelf item. */
  requestedByAnotherPatron: boolean;
  /** Every loan limit of the institution (and network limits), each with the patron's current count. */
  limits: readonly LoanLimitCount[];
}

export type LoanRefusalCode =
  | 'ITEM_UNKNOWN'
  | 'ITEM_WITHDRAWN'
  | 'ITEM_ALREADY_ON_LOAN'
  | 'ITEM_HELD_FOR_ANOTHER_PATRON'
  | 'ITEM_NOT_IN_PLACE'
  | 'ITEM_REQUESTED_BY_ANOTHER_PATRON'
  | 'NOT_LOANABLE'
  | 'PATRON_EXPIRED'
  | 'PATRON_BLOCKED'
  | 'PATRON_INACTIVE'
  | 'LOAN_LIMIT_REACHED';

export type LoanRefusal = Refusal<LoanRefusalCode>;

/** A guard: one rule of CIRC-4, returning its refusals (none when the rule is satisfied). */
export type LoanGuard = (input: LoanCheckInput) => LoanRefusal[];

/** The process types that hold an item for a request (CIRC-7, CIRC-9). */
const REQUEST_PROCESS_TYPES: ReadonlySet<ProcessType> = new Set(['requested', 'transit', 'hold_shelf']);

/** The item is in a request's hands: picked, in transit or on the hold shelf for someone. */
function isHeldForRequest(item: LoanCheckInput['item']): boolean {
  return (
    !item.inPlace &&
    item.processType !== null &&
    REQUEST_PROCESS_TYPES.has(item.processType) &&
    item.heldForPatronId !== null
  );
}

export const refuseWhenItemIsUnknown: LoanGuard = ({ item }) =>
  item.exists ? [] : [refusal('ITEM_UNKNOWN', 'No item with this barcode is known here.')];

export const refuseWhenItemIsWithdrawn: LoanGuard = ({ item }) =>
  item.exists && item.withdrawn
    ? [refusal('ITEM_WITHDRAWN', 'The item has been withdrawn from the collection.')]
    : [];

/** Not overridable: INV-1, an item has at most one active loan; return it first. */
export const refuseWhenItemIsAlreadyOnLoan: LoanGuard = ({ item }) =>
  item.exists && !item.inPlace && item.processType === 'loan'
    ? [refusal('ITEM_ALREADY_ON_LOAN', 'The item is already on loan. Return it first.')]
    : [];

/**
 * CIRC-4 / CIRC-7: an item picked, in transit or on the hold shelf for another patron's
 * request is theirs; nobody may override that. Held for this patron, lending it completes the
 * request (FN-5).
 */
export const refuseWhenItemIsHeldForAnotherPatron: LoanGuard = ({ item, patron }) => {
  if (!item.exists || !isHeldForRequest(item) || item.heldForPatronId === patron.id) return [];
  const where =
    item.processType === 'hold_shelf'
      ? 'waiting on the hold shelf'
      : item.processType === 'transit'
        ? 'in transit'
        : 'picked from the shelf';
  return [
    refusal('ITEM_HELD_FOR_ANOTHER_PATRON', `The item is ${where} for another patron's request.`, {
      processType: item.processType,
    }),
  ];
};

const NOT_IN_PLACE_WORDS: Record<ProcessType, string> = {
  loan: 'on loan',
  requested: 'picked for a request',
  transit: 'in transit; scan it in first',
  hold_shelf: 'on the hold shelf',
  missing: 'marked missing',
  lost: 'lost; return it first to resolve the lost loan',
  claimed_returned: 'claimed returned; return it first to resolve the loan',
  technical: 'in technical processing',
};

/**
 * CIRC-1: an item not in place for another reason than a loan or a request. Only `missing`
 * is overridable: the item is in the operator's hands, so it has been found. The others are
 * not: a lost or claimed-returned item still has its loan to resolve, a transit must be
 * received (CIRC-6 decides where the item goes), and technical processing must finish.
 */
export const refuseWhenItemIsNotInPlace: LoanGuard = ({ item }) => {
  if (!item.exists || item.inPlace || item.processType === 'loan' || isHeldForRequest(item)) return [];
  const processType = item.processType;
  const message = `The item is ${processType ? NOT_IN_PLACE_WORDS[processType] : 'not in place'}.`;
  const details = { processType };
  return [
    processType === 'missing'
      ? overridableRefusal('ITEM_NOT_IN_PLACE', message, details)
      : refusal('ITEM_NOT_IN_PLACE', message, details),
  ];
};

/**
 * CIRC-4: an on-shelf item that another patron's open request targets. Overridable; the use
 * case then retargets that request to another copy.
 */
export const refuseWhenItemIsRequestedByAnotherPatron: LoanGuard = ({ item, requestedByAnotherPatron }) =>
  item.exists && item.inPlace && requestedByAnotherPatron
    ? [
        overridableRefusal(
          'ITEM_REQUESTED_BY_ANOTHER_PATRON',
          "Another patron's request is waiting for this item. Lending it anyway moves that request to another copy.",
        ),
      ]
    : [];

export const refuseWhenItemIsNotLoanable: LoanGuard = ({ item, terms }) =>
  item.exists && terms !== null && !terms.loanable
    ? [
        overridableRefusal(
          'NOT_LOANABLE',
          'The terms of use do not allow this item to be lent to this patron.',
        ),
      ]
    : [];

/** PAT-1: expired from the expiry date on. */
export const refuseWhenPatronIsExpired: LoanGuard = ({ patron, today }) =>
  isExpired(patron.expiryDate, today)
    ? [
        overridableRefusal('PATRON_EXPIRED', `The patron's account expired on ${patron.expiryDate}.`, {
          expiryDate: patron.expiryDate,
        }),
      ]
    : [];

/** PAT-7: one refusal listing every block, home blocks carried to this account included. */
export const refuseWhenPatronIsBlocked: LoanGuard = ({ patron }) => {
  if (patron.blocks.length === 0) return [];
  const listed = patron.blocks.map((b) => (b.reason ? `${b.type} (${b.reason})` : b.type)).join('; ');
  return [
    overridableRefusal('PATRON_BLOCKED', `The patron is blocked: ${listed}.`, {
      blocks: patron.blocks.map((b) => ({ type: b.type, reason: b.reason })),
    }),
  ];
};

/** An inactive record lends nothing; reactivate it first (not overridable). */
export const refuseWhenPatronIsInactive: LoanGuard = ({ patron }) =>
  patron.status === 'inactive' ? [refusal('PATRON_INACTIVE', "The patron's record is inactive.")] : [];

/** CIRC-2: a limit applies when its user group and material type are null or equal. */
export function applicableLimits<L extends LoanLimit>(
  limits: readonly L[],
  userGroupId: string,
  materialTypeId: string | null,
): L[] {
  return limits.filter(
    (l) =>
      (l.userGroupId === null || l.userGroupId === userGroupId) &&
      (l.materialTypeId === null || l.materialTypeId === materialTypeId),
  );
}

/**
 * CIRC-2 / CIRC-4: one refusal for every applicable limit the patron has reached (one more
 * loan would go over it). Overridable.
 */
export const refuseWhenLoanLimitIsReached: LoanGuard = ({ item, patron, limits }) => {
  if (!item.exists) return [];
  return applicableLimits(limits, patron.userGroupId, item.materialTypeId)
    .filter((l) => l.currentLoans >= l.maxLoans)
    .map((l) =>
      overridableRefusal(
        'LOAN_LIMIT_REACHED',
        l.scope === 'network'
          ? `The patron has ${l.currentLoans} loans across the network, the most allowed (${l.maxLoans}).`
          : `The patron has ${l.currentLoans} loans${l.materialTypeId ? ' of this material type' : ''}, the most allowed (${l.maxLoans}).`,
        {
          limitId: l.id,
          scope: l.scope,
          userGroupId: l.userGroupId,
          materialTypeId: l.materialTypeId,
          maxLoans: l.maxLoans,
          currentLoans: l.currentLoans,
        },
      ),
    );
};

/** The guards of CIRC-4 in the order the operator reads them: the item, then the patron, then the limits. */
export const LOAN_GUARDS: readonly LoanGuard[] = [
  refuseWhenItemIsUnknown,
  refuseWhenItemIsWithdrawn,
  refuseWhenItemIsAlreadyOnLoan,
  refuseWhenItemIsHeldForAnotherPatron,
  refuseWhenItemIsNotInPlace,
  refuseWhenItemIsRequestedByAnotherPatron,
  refuseWhenItemIsNotLoanable,
  refuseWhenPatronIsExpired,
  refuseWhenPatronIsBlocked,
  refuseWhenPatronIsInactive,
  refuseWhenLoanLimitIsReached,
];

/**
 * CIRC-4: every reason to refuse the loan, all at once (none: the loan may go ahead). The use
 * case lends only when every refusal is overridable and overridden by staff holding its
 * privilege, and records each override (CIRC-13). A check-out dry run calls the same function.
 */
export function collectLoanRefusals(input: LoanCheckInput): LoanRefusal[] {
  return LOAN_GUARDS.flatMap((guard) => guard(input));
}
