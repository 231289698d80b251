/**
 * Small pieces the patron services tabs share: loading a resource with a refresh counter
 * and the names of codes.
 */
import { useEffect, useRef, useState } from 'react';
import type { FeeType } from '../../api/circulation.ts';
import type { RequestStatus } from '../../api/shared.ts';
import { isAbort } from '../../api.ts';

export type Loaded<T> =
  | { state: 'loading' }
  /** `data`: what was last loaded, kept when a refresh fails so the screen stays usable. */
  | { state: 'error'; error: unknown; data?: T }
  | { state: 'done'; data: T };

/**
 * Loads with `load` whenever a dependency (e.g. the refresh counter) changes; aborts the previous
 * load. A failed refresh keeps the last data beside the error; a new `resetKey` (another patron)
 * starts from "loading", so one record's error or data never shows while the next one loads.
 */
export function useLoaded<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  resetKey?: unknown,
): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const lastKey = useRef(resetKey);
  useEffect(() => {
    if (lastKey.current !== resetKey) {
      lastKey.current = resetKey;
      setLoaded({ state: 'loading' });
    }
    const controller = new AbortController();
    load(controller.signal)
      .then((data) => setLoaded({ state: 'done', data }))
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        setLoaded((prev) => ({
          state: 'error',
          error,
          data: prev.state === 'loading' ? undefined : prev.data,
        }));
      });
    return () => controller.abort();
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  }, deps);
  return loaded;
}

/** 1250 EUR → "12.50": an amount as staff type it (no currency sign), for a prefilled field. */
export function plainAmount(amountMinor: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return (amountMinor / 10 ** digits).toFixed(digits);
}

export const REQUEST_STATUS_WORDS: Record<RequestStatus, string> = {
  not_started: 'Waiting',
  in_process: 'Being picked from the shelf',
  in_transit: 'In transit to the pickup library',
  on_hold_shelf: 'Ready on the hold shelf',
  completed: 'Completed (lent)',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

export const FEE_TYPE_WORDS: Record<FeeType, string> = {
  overdue_fine: 'Overdue fine',
  lost_item_replacement: 'Lost item replacement',
  lost_item_processing: 'Lost item processing',
  renewal_fee: 'Renewal fee',
  credit: 'Credit',
  other: 'Other fee',
};

export const LETTER_TYPE_WORDS: Record<string, string> = {
  loan_receipt: 'Loan receipt',
  return_receipt: 'Return receipt',
  hold_available: 'Hold available',
  hold_shelf_reminder: 'Hold shelf reminder',
  hold_expired: 'Hold expired',
  courtesy: 'Courtesy notice',
  overdue: 'Overdue notice',
  lost: 'Lost item notice',
  request_cancelled: 'Request cancelled',
  request_unfillable: 'Request cannot be filled',
};

export const LETTER_STATUS_WORDS: Record<string, string> = {
  pending: 'Waiting to be sent',
  delivered: 'Sent',
  failed: 'Could not be sent',
};
