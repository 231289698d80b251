/**
 * The client calls and types of the patron services screen: patrons, loans, returns,
 * requests, fees and letters (docs/api.md; the zod schemas in src/server/<module>/).
 */
import { apiRequest } from '../api.ts';

const enc = encodeURIComponent;

// --- Patrons ------------------------------------------------------------------------------

export interface UserGroupRef {
  id: string;
  code: string;
  name: string;
}

export interface PatronSummary {
  id: string;
  primaryIdentifier: string;
  firstName: string;
  middleName: string;
  lastName: string;
  preferredName: string | null;
  userGroup: UserGroupRef;
  expiryDate: string | null;
  status: 'active' | 'inactive';
  expired: boolean;
  blocked: boolean;
  /** The query is exactly one of this patron's identifiers. */
  identifierMatch: boolean;
}

export interface PatronSearchResult {
  total: number;
  limit: number;
  offset: number;
  patrons: PatronSummary[];
}

export interface PatronBlock {
  id: string;
  blockType: string;
  reason: string;
  networkBlock: boolean;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface Patron {
  id: string;
  institutionId: string;
  primaryIdentifier: string;
  firstName: string;
  middleName: string;
  lastName: string;
  preferredName: string | null;
  userGroup: UserGroupRef;
  emails: { address: string; type: string; preferred: boolean }[];
  expiryDate: string | null;
  status: 'active' | 'inactive';
  identifiers: { type: string; value: string }[];
  blocks: PatronBlock[];
  expired: boolean;
  blocked: boolean;
}

/** "Amara Okafor" (the preferred first name when there is one). */
export function patronDisplayName(p: {
  firstName: string;
  lastName: string;
  preferredName: string | null;
}): string {
  const first = p.preferredName || p.firstName;
  return first ? `${first} ${p.lastName}` : p.lastName;
}

export function searchPatrons(
  institutionId: string,
  q: string,
  signal?: AbortSignal,
): Promise<PatronSearchResult> {
  const query = new URLSearchParams({ q, limit: '20' });
  return apiRequest('GET', `/api/institutions/${enc(institutionId)}/patrons?${query}`, { signal });
}

export function getPatron(institutionId: string, patronId: string, signal?: AbortSignal): Promise<Patron> {
  return apiRequest('GET', `/api/institutions/${enc(institutionId)}/patrons/${enc(patronId)}`, { signal });
}

// --- Loans --------------------------------------------------------------------------------

export interface Loan {
  id: string;
  institutionId: string;
  item: { id: string; barcode: string; title: string; author: string };
  patron: { id: string; name: string };
  loanedAt: string;
  dueAt: string;
  status: 'active' | 'returned' | 'lost' | 'claimed_returned';
  overdue: boolean;
  renewalsUsed: number;
  renewalsAllowed: number;
  returnedAt: string | null;
  desk: { id: string; name: string; institutionId: string };
  library: { id: string; name: string };
  receiptUrl: string;
}

/** An override of overridable refusals (CIRC-4, CIRC-5); `approver` is a manager's sign-in. */
export interface OverrideInput {
  codes: string[];
  note?: string;
  approver?: { username: string; password: string };
}

export interface LendResult {
  loan: Loan;
  termsFallback: boolean;
  dueDate: { cappedBy: 'none' | 'fixed_due_date' | 'account_expiry'; movedFromClosedDay: boolean };
  overridden: string[];
  receiptUrl: string;
}

export function listPatronLoans(
  institutionId: string,
  patronId: string,
  signal?: AbortSignal,
): Promise<Loan[]> {
  return apiRequest('GET', `/api/circulation/patrons/${enc(institutionId)}/${enc(patronId)}/loans`, {
    signal,
  });
}

export function lendItem(body: {
  deskId: string;
  itemBarcode: string;
  patronId: string;
  override?: OverrideInput;
}): Promise<LendResult> {
  return apiRequest('POST', '/api/circulation/loans', { body });
}

export function renewLoan(
  institutionId: string,
  loanId: string,
  override?: OverrideInput,
): Promise<{ loan: Loan }> {
  return apiRequest('POST', `/api/circulation/loans/${enc(institutionId)}/${enc(loanId)}/renew`, {
    body: override ? { override } : {},
  });
}

/** Emails one loan receipt listing these current loans of the patron; 202 with the letter. */
export function emailLoanReceipt(
  institutionId: string,
  patronId: string,
  loanIds: string[],
): Promise<{ letterId: string; to: string }> {
  return apiRequest('POST', `/api/circulation/patrons/${enc(institutionId)}/${enc(patronId)}/loan-receipts`, {
    body: { loanIds },
  });
}

// --- Returns ------------------------------------------------------------------------------

export interface ReturnResult {
  loan: Loan | null;
  item: { id: string; barcode: string; title: string };
  fine: { amountMinor: number; currency: string; overdueDays: number; chargedDays: number } | null;
  nextStep: {
    kind: 'hold_shelf' | 'transit' | 'reshelve';
    reason?: 'request' | 'return_to_owner' | 'home_library';
    libraryId?: string;
    requestId?: string;
    transitId?: string;
    holdShelfExpiresAt?: string;
    slipUrl: string | null;
    text: string;
  };
}

export function returnItem(body: { deskId: string; itemBarcode: string }): Promise<ReturnResult> {
  return apiRequest('POST', '/api/circulation/returns', { body });
}

// --- Requests -----------------------------------------------------------------------------

export type RequestStatus =
  | 'not_started'
  | 'in_process'
  | 'in_transit'
  | 'on_hold_shelf'
  | 'completed'
  | 'cancelled'
  | 'expired';

export interface PatronRequest {
  id: string;
  institutionId: string;
  status: RequestStatus;
  requestType: 'hold' | 'page';
  level: 'title' | 'item';
  queuePosition: number | null;
  title: { id: string; title: string; author: string };
  volume: string;
  item: {
    id: string;
    barcode: string;
    callNumber: string;
    location: string;
    library: { id: string; name: string };
  } | null;
  patron: { id: string; name: string; identifier: string };
  pickupLibrary: { id: string; name: string; institutionId: string };
  placedAt: string;
  placedByStaff: boolean;
  holdShelfExpiresAt: string | null;
  holdShelfExpired: boolean;
  cancelReason: string | null;
  closedAt: string | null;
  slipUrl?: string;
}

export function listPatronRequests(
  institutionId: string,
  patronId: string,
  signal?: AbortSignal,
): Promise<PatronRequest[]> {
  return apiRequest('GET', `/api/circulation/patrons/${enc(institutionId)}/${enc(patronId)}/requests`, {
    signal,
  });
}

export function placeRequest(body: {
  patronId: string;
  bibId: string;
  requestType: 'hold' | 'page';
  pickupLibraryId: string;
}): Promise<PatronRequest> {
  return apiRequest('POST', '/api/circulation/requests', { body });
}

export function cancelRequest(
  institutionId: string,
  requestId: string,
  reason: string,
): Promise<PatronRequest> {
  return apiRequest('POST', `/api/circulation/requests/${enc(institutionId)}/${enc(requestId)}/cancel`, {
    body: { reason },
  });
}

// --- Fees ---------------------------------------------------------------------------------

export type FeeType =
  | 'overdue_fine'
  | 'lost_item_replacement'
  | 'lost_item_processing'
  | 'renewal_fee'
  | 'credit'
  | 'other';

export interface FeeTransaction {
  id: string;
  kind: 'payment' | 'waive' | 'refund';
  amountMinor: number;
  reason: string | null;
  method: string | null;
  staffId: string | null;
  staffName: string | null;
  at: string;
}

export interface Fee {
  id: string;
  institutionId: string;
  patronId: string;
  loanId: string | null;
  item: { id: string; barcode: string | null; title: string | null } | null;
  feeType: FeeType;
  status: 'active' | 'closed';
  currency: string;
  originalMinor: number;
  balanceMinor: number;
  paidMinor: number;
  waivedMinor: number;
  refundedMinor: number;
  createdAt: string;
  updatedAt: string;
  transactions: FeeTransaction[];
}

export interface PatronFees {
  patronId: string;
  institutionId: string;
  balances: { currency: string; balanceMinor: number }[];
  fees: Fee[];
}

export function listPatronFees(
  institutionId: string,
  patronId: string,
  signal?: AbortSignal,
): Promise<PatronFees> {
  return apiRequest('GET', `/api/circulation/patrons/${enc(institutionId)}/${enc(patronId)}/fees`, {
    signal,
  });
}

export type FeeAction = 'payments' | 'waivers' | 'refunds';

export function feeAction(
  institutionId: string,
  feeId: string,
  action: FeeAction,
  body: { amountMinor?: number; method?: string; reason?: string },
): Promise<{ transactionId: string; fee: Fee }> {
  return apiRequest('POST', `/api/circulation/fees/${enc(institutionId)}/${enc(feeId)}/${action}`, { body });
}

// --- Letters ------------------------------------------------------------------------------

export interface Letter {
  id: string;
  letterType: string;
  to: string | null;
  from: string | null;
  subject: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

export function listPatronLetters(
  institutionId: string,
  patronId: string,
  signal?: AbortSignal,
): Promise<Letter[]> {
  return apiRequest('GET', `/api/circulation/patrons/${enc(institutionId)}/${enc(patronId)}/letters`, {
    signal,
  });
}
