/**
 * Client calls for the desk workflow screens (CIRC-6..9): returns and scan-in, pick from
 * shelf, the hold shelf and transits. Shapes follow the zod schemas in
 * src/server/circulation/schemas.ts, src/server/requests/schemas.ts and
 * src/server/transits/schemas.ts.
 */
import { apiRequest } from '../api.ts';

export type NextStepKind = 'hold_shelf' | 'transit' | 'reshelve';
export type TransitReason = 'request' | 'return_to_owner' | 'home_library';

/** The loan a return closed (only the fields the desk screens show). */
export interface ReturnedLoan {
  id: string;
  institutionId: string;
  item: { id: string; barcode: string; title: string; author: string };
  patron: { id: string; name: string };
  loanedAt: string;
  dueAt: string;
  status: 'active' | 'returned' | 'lost' | 'claimed_returned';
  overdue: boolean;
  returnedAt: string | null;
  library: { id: string; name: string };
  receiptUrl: string;
}

/** The answer of POST /api/circulation/returns: the CIRC-6 decision and what the scan did. */
export interface ReturnResult {
  loan: ReturnedLoan | null;
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

export type RequestStatus =
  | 'not_started'
  | 'in_process'
  | 'in_transit'
  | 'on_hold_shelf'
  | 'completed'
  | 'cancelled'
  | 'expired';

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

export interface TransitView {
  id: string;
  institutionId: string;
  reason: TransitReason;
  requestId: string | null;
  status: 'open' | 'received' | 'cancelled';
  item: { id: string; barcode: string; title: string };
  from: { id: string; name: string };
  to: { id: string; name: string };
  sentAt: string;
  expectedArrivalAt: string;
  late: boolean;
  slipUrl: string;
}

const lib = (libraryId: string) => `/api/circulation/libraries/${encodeURIComponent(libraryId)}`;
const req = (institutionId: string, requestId: string) =>
  `/api/circulation/requests/${encodeURIComponent(institutionId)}/${encodeURIComponent(requestId)}`;

/** CIRC-6: return or scan in an item at the desk. */
export function returnItem(deskId: string, itemBarcode: string): Promise<ReturnResult> {
  return apiRequest<ReturnResult>('POST', '/api/circulation/returns', { body: { deskId, itemBarcode } });
}

export function getPickList(libraryId: string, signal?: AbortSignal): Promise<RequestView[]> {
  return apiRequest<RequestView[]>('GET', `${lib(libraryId)}/pick-list`, { signal });
}

/** The print-ready pick slips: all of the list, or one request's. */
export function pickSlipsUrl(libraryId: string, requestId?: string): string {
  return `${lib(libraryId)}/pick-slips${requestId ? `?requestId=${encodeURIComponent(requestId)}` : ''}`;
}

export function markPicked(institutionId: string, requestId: string): Promise<RequestView> {
  return apiRequest<RequestView>('POST', `${req(institutionId, requestId)}/picked`);
}

export interface MarkMissingResult {
  request: RequestView;
  retargetedItemId: string | null;
}

export function markMissing(
  institutionId: string,
  requestId: string,
  condition: 'missing' | 'damaged',
  note?: string,
): Promise<MarkMissingResult> {
  return apiRequest<MarkMissingResult>('POST', `${req(institutionId, requestId)}/missing`, {
    body: note ? { condition, note } : { condition },
  });
}

export function holdShelfSlipUrl(institutionId: string, requestId: string): string {
  return `${req(institutionId, requestId)}/hold-shelf-slip`;
}

export function getHoldShelf(libraryId: string, signal?: AbortSignal): Promise<RequestView[]> {
  return apiRequest<RequestView[]>('GET', `${lib(libraryId)}/hold-shelf`, { signal });
}

export function getExpiredHoldShelf(libraryId: string, signal?: AbortSignal): Promise<RequestView[]> {
  return apiRequest<RequestView[]>('GET', `${lib(libraryId)}/hold-shelf/expired`, { signal });
}

export function expireHoldShelf(libraryId: string): Promise<{ expired: number; requestIds: string[] }> {
  return apiRequest('POST', `${lib(libraryId)}/hold-shelf/expire`, { body: {} });
}

export function getTransits(
  libraryId: string,
  direction: 'to' | 'from',
  signal?: AbortSignal,
): Promise<TransitView[]> {
  return apiRequest<TransitView[]>('GET', `${lib(libraryId)}/transits?direction=${direction}`, { signal });
}

export function cancelTransit(institutionId: string, transitId: string, reason: string): Promise<void> {
  return apiRequest<void>(
    'POST',
    `/api/circulation/transits/${encodeURIComponent(institutionId)}/${encodeURIComponent(transitId)}/cancel`,
    { body: { reason } },
  );
}

/** Words for a transit's reason. */
export function transitReasonLabel(reason: TransitReason): string {
  switch (reason) {
    case 'request':
      return 'For a request';
    case 'home_library':
      return 'Going home';
    case 'return_to_owner':
      return 'Back to its owner';
  }
}
