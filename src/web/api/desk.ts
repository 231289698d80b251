/**
 * Client calls for the desk workflow screens (CIRC-6..9): pick from shelf, the hold shelf
 * and transits (returns and scan-in use `returnItem` in shared.ts). Shapes follow the zod schemas in
 * src/server/circulation/schemas.ts, src/server/requests/schemas.ts and
 * src/server/transits/schemas.ts.
 */
import { apiRequest } from '../api.ts';
import { enc, type RequestView, requestPath, type TransitReason } from './shared.ts';

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

const lib = (libraryId: string) => `/api/circulation/libraries/${enc(libraryId)}`;

export function getPickList(libraryId: string, signal?: AbortSignal): Promise<RequestView[]> {
  return apiRequest<RequestView[]>('GET', `${lib(libraryId)}/pick-list`, { signal });
}

/** The print-ready pick slips: all of the list, or one request's. */
export function pickSlipsUrl(libraryId: string, requestId?: string): string {
  return `${lib(libraryId)}/pick-slips${requestId ? `?requestId=${enc(requestId)}` : ''}`;
}

export function markPicked(institutionId: string, requestId: string): Promise<RequestView> {
  return apiRequest<RequestView>('POST', `${requestPath(institutionId, requestId)}/picked`);
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
  return apiRequest<MarkMissingResult>('POST', `${requestPath(institutionId, requestId)}/missing`, {
    body: note ? { condition, note } : { condition },
  });
}

export function holdShelfSlipUrl(institutionId: string, requestId: string): string {
  return `${requestPath(institutionId, requestId)}/hold-shelf-slip`;
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
    `/api/circulation/transits/${enc(institutionId)}/${enc(transitId)}/cancel`,
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
