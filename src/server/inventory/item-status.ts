import type { ProcessType } from '../db/schema.ts';

/** CIRC-1: an item's state in the words a desk uses. Pure. */
export function describeItemStatus(item: {
  inPlace: boolean;
  processType: ProcessType | null;
  withdrawn: boolean;
}): {
  status: 'in_place' | 'not_in_place' | 'withdrawn';
  statusText: string;
} {
  if (item.withdrawn) return { status: 'withdrawn', statusText: 'Withdrawn from the collection' };
  if (item.inPlace || !item.processType) return { status: 'in_place', statusText: 'On the shelf' };
  const words: Record<ProcessType, string> = {
    loan: 'On loan',
    requested: 'Picked for a request',
    transit: 'In transit',
    hold_shelf: 'On the hold shelf',
    missing: 'Missing',
    lost: 'Lost',
    claimed_returned: 'Claimed returned',
    technical: 'In technical processing',
  };
  return { status: 'not_in_place', statusText: words[item.processType] };
}
