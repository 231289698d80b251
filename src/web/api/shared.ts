/**
 * Client calls and types that several staff screens share (patron services, the desk
 * workflow screens and the patron and item records): patrons, loans, returns, requests and
 * letters as the API presents them (src/server/patrons/schemas.ts,
 * src/server/circulation/schemas.ts, src/server/requests/schemas.ts,
 * src/server/letters/routes.ts).
 */
import { apiRequest } from '../api.ts';

export const enc = encodeURIComponent;

/** `/api/institutions/:institutionId`, the prefix of an institution's own resources. */
export const institutionPath = (institutionId: string) => `/api/institutions/${enc(institutionId)}`;

/** `/api/circulation/patrons/:institutionId/:patronId`, the prefix of a patron's loans, requests, fees and letters. */
export const circulationPatronPath = (institutionId: string, patronId: string) =>
  `/api/circulation/patrons/${enc(institutionId)}/${enc(patronId)}`;

export interface CodeName {
  id: string;
  code: string;
  name: string;
}

// --- Patrons -----------------------------------------------------------------------------------

export type PatronStatus = 'active' | 'inactive';

export interface PatronEmail {
  address: string;
  type: string;
  preferred: boolean;
}

export interface PatronPhone {
  number: string;
  type: string;
  preferred: boolean;
}

export interface PatronAddress {
  lines: string[];
  city: string;
  region: string;
  postalCode: string;
  country: string;
  type: string;
  preferred: boolean;
}

export interface PatronIdentifier {
  type: string;
  value: string;
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
  userGroup: CodeName;
  emails: PatronEmail[];
  phones: PatronPhone[];
  addresses: PatronAddress[];
  generalNote: string;
  expiryDate: string | null;
  purgeDate: string | null;
  status: PatronStatus;
  crossConsortiaId: string | null;
  identifiers: PatronIdentifier[];
  blocks: PatronBlock[];
  expired: boolean;
  blocked: boolean;
  hasDiscoveryLogin: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface PatronSummary {
  id: string;
  primaryIdentifier: string;
  firstName: string;
  middleName: string;
  lastName: string;
  preferredName: string | null;
  userGroup: CodeName;
  expiryDate: string | null;
  status: PatronStatus;
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

export const patronPath = (institutionId: string, patronId: string) =>
  `${institutionPath(institutionId)}/patrons/${enc(patronId)}`;

export function searchPatrons(
  institutionId: string,
  params: { q: string; limit: number; offset: number },
  signal?: AbortSignal,
): Promise<PatronSearchResult> {
  const query = new URLSearchParams();
  if (params.q) query.set('q', params.q);
  query.set('limit', String(params.limit));
  query.set('offset', String(params.offset));
  return apiRequest<PatronSearchResult>(
    'GET',
    `${institutionPath(institutionId)}/patrons?${query.toString()}`,
    {
      signal,
    },
  );
}

export function getPatron(institutionId: string, patronId: string, signal?: AbortSignal): Promise<Patron> {
  return apiRequest<Patron>('GET', patronPath(institutionId, patronId), { signal });
}

// --- Loans and returns (CIRC-6) ----------------------------------------------------------------

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

export type NextStepKind = 'hold_shelf' | 'transit' | 'reshelve';
export type TransitReason = 'request' | 'return_to_owner' | 'home_library';

/** The answer of POST /api/circulation/returns: the CIRC-6 decision and what the scan did. */
export interface ReturnResult {
  loan: Loan | null;
  item: { id: string; barcode: string; title: string };
  fine: { amountMinor: number; currency: string; overdueDays: number; chargedDays: number } | null;
  nextStep: {
    kind: NextStepKind;
    reason?: TransitReason;
    libraryId?: string;
    requestId?: string;
    transitId?: string;
    receivedTransitId?: string;
    keptDestination?: boolean;
    holdShelfExpiresAt?: string;
    slipUrl: string | null;
    text: string;
  };
}

/** CIRC-6: return or scan in an item at the desk. */
export function returnItem(deskId: string, itemBarcode: string): Promise<ReturnResult> {
  return apiRequest<ReturnResult>('POST', '/api/circulation/returns', { body: { deskId, itemBarcode } });
}

// --- Requests ----------------------------------------------------------------------------------

export type RequestStatus =
  | 'not_started'
  | 'in_process'
  | 'in_transit'
  | 'on_hold_shelf'
  | 'completed'
  | 'cancelled'
  | 'expired';

/** `/api/circulation/requests/:institutionId/:requestId`, the prefix of one request's actions. */
export const requestPath = (institutionId: string, requestId: string) =>
  `/api/circulation/requests/${enc(institutionId)}/${enc(requestId)}`;

/** A request as the API presents it (the `Request` schema). */
export interface RequestView {
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
  completedLoanId: string | null;
  cancelReason: string | null;
  closedAt: string | null;
  slipUrl?: string;
}

// --- Letters -----------------------------------------------------------------------------------

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
  return apiRequest<Letter[]>('GET', `${circulationPatronPath(institutionId, patronId)}/letters`, { signal });
}
