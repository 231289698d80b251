/**
 * The client calls and types of the patron services screen: loans, requests and fees (the
 * patrons, returns and letters it shares with other screens are in shared.ts; docs/api.md).
 */
import { apiRequest } from '../api.ts';
import { circulationPatronPath, enc, type Loan, type RequestView, requestPath } from './shared.ts';

// --- Patrons ------------------------------------------------------------------------------

/** "Amara Okafor" (the preferred first name when there is one). */
export function patronDisplayName(p: {
  firstName: string;
  lastName: string;
  preferredName: string | null;
}): string {
  const first = p.preferredName || p.firstName;
  return first ? `${first} ${p.lastName}` : p.lastName;
}

// --- Loans --------------------------------------------------------------------------------

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
  return apiRequest('GET', `${circulationPatronPath(institutionId, patronId)}/loans`, {
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
  return apiRequest('POST', `${circulationPatronPath(institutionId, patronId)}/loan-receipts`, {
    body: { loanIds },
  });
}

// --- Requests -----------------------------------------------------------------------------

export function listPatronRequests(
  institutionId: string,
  patronId: string,
  signal?: AbortSignal,
): Promise<RequestView[]> {
  return apiRequest('GET', `${circulationPatronPath(institutionId, patronId)}/requests`, {
    signal,
  });
}

export function placeRequest(body: {
  patronId: string;
  bibId: string;
  requestType: 'hold' | 'page';
  pickupLibraryId: string;
}): Promise<RequestView> {
  return apiRequest('POST', '/api/circulation/requests', { body });
}

export function cancelRequest(
  institutionId: string,
  requestId: string,
  reason: string,
): Promise<RequestView> {
  return apiRequest('POST', `${requestPath(institutionId, requestId)}/cancel`, {
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
  return apiRequest('GET', `${circulationPatronPath(institutionId, patronId)}/fees`, {
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
