import { describe, expect, it } from 'vitest';
import {
  type CopyForRequest,
  chooseTarget,
  collectRequestRefusals,
  nextRequestFor,
  pickupAllowed,
  type RequestCheckInput,
} from './rules.ts';

const copy = (over: Partial<CopyForRequest & { barcode: string }> = {}) => ({
  itemId: 'i1',
  barcode: 'B1',
  homeLibraryId: 'lib-home',
  available: true,
  requestsAllowed: true,
  pickupPolicy: 'any_library' as const,
  onLoanToPatron: false,
  ...over,
});
const input = (over: Partial<RequestCheckInput> = {}): RequestCheckInput => ({
  today: '2025-03-10',
  requestType: 'hold',
  level: 'title',
  ownerInstitutionId: 'north',
  pickup: { institutionId: 'north', libraryId: 'lib-main' },
  patron: { status: 'active', expiryDate: null, blocks: [] },
  titleWithdrawn: false,
  itemWithdrawn: false,
  copies: [copy()],
  ...over,
});
const codes = (i: RequestCheckInput) => collectRequestRefusals(i).map((r) => r.code);

describe('CIRC-7 request refusals', () => {
  it('CIRC-7: a hold with a requestable copy is allowed, even when none is available', () => {
    expect(codes(input())).toEqual([]);
    expect(codes(input({ copies: [copy({ available: false })] }))).toEqual([]);
  });
  it('PAT-7 / CIRC-7: inactive, expired and blocked patrons are refused, every reason at once', () => {
    const patron = {
      status: 'inactive' as const,
      expiryDate: '2025-03-10',
      blocks: [{ type: 'FINES', reason: '' }],
    };
    expect(codes(input({ patron }))).toEqual(['PATRON_INACTIVE', 'PATRON_EXPIRED', 'PATRON_BLOCKED']);
  });
  it('CIRC-7: no copies, a withdrawn title, a copy on loan to the patron', () => {
    expect(codes(input({ copies: [] }))).toEqual(['NO_COPIES']);
    expect(codes(input({ titleWithdrawn: true }))).toEqual(['TITLE_WITHDRAWN']);
    expect(codes(input({ copies: [copy({ onLoanToPatron: true, available: false })] }))).toEqual([
      'ALREADY_ON_LOAN_TO_PATRON',
    ]);
  });
  it('CIRC-2: terms forbidding requests, and the pickup-location policy', () => {
    expect(codes(input({ copies: [copy({ requestsAllowed: false })] }))).toEqual(['REQUESTS_NOT_ALLOWED']);
    expect(codes(input({ copies: [copy({ pickupPolicy: 'own_library' })] }))).toEqual(['PICKUP_NOT_ALLOWED']);
    expect(
      codes(
        input({
          pickup: { institutionId: 'north', libraryId: 'lib-home' },
          copies: [copy({ pickupPolicy: 'own_library' })],
        }),
      ),
    ).toEqual([]);
    expect(
      pickupAllowed(copy({ pickupPolicy: 'any_institution' }), 'north', {
        institutionId: 'south',
        libraryId: 'x',
      }),
    ).toBe(false);
  });
  it('CIRC-7: a page needs an available requestable copy', () => {
    expect(codes(input({ requestType: 'page', copies: [copy({ available: false })] }))).toEqual([
      'NOTHING_TO_PAGE',
    ]);
    expect(codes(input({ requestType: 'page' }))).toEqual([]);
  });
});

describe('CIRC-7 targeting and the queue', () => {
  it('CIRC-7: a title request targets an available copy at the pickup library first, then the lowest barcode', () => {
    const copies = [
      copy({ itemId: 'a', barcode: 'B2' }),
      copy({ itemId: 'b', barcode: 'B1', available: false }),
      copy({ itemId: 'c', barcode: 'B3', homeLibraryId: 'lib-main' }),
    ];
    expect(chooseTarget(copies, 'lib-main')?.itemId).toBe('c');
    expect(chooseTarget(copies, 'lib-other')?.itemId).toBe('a');
    expect(chooseTarget([copy({ available: false })], 'lib-main')).toBeNull();
  });
  it('CIRC-6 / CIRC-7: a returned copy fills the first waiting request it can: its own item requests and untargeted title requests of its volume, in queue order', () => {
    const r = (
      id: string,
      queuePosition: number,
      over: Partial<Parameters<typeof nextRequestFor>[0][number]> = {},
    ) => ({
      id,
      level: 'title' as 'title' | 'item',
      status: 'not_started',
      itemId: null as string | null,
      volume: '',
      queuePosition,
      ...over,
    });
    const item = { id: 'x', enumeration: '' };
    const queue = [
      r('on-shelf', 1, { status: 'on_hold_shelf', itemId: 'y' }),
      r('other-copy', 2, { itemId: 'y' }),
      r('other-item', 3, { level: 'item', itemId: 'y' }),
      r('other-volume', 4, { volume: 'v.2' }),
      r('untargeted', 6),
      r('this-item', 5, { level: 'item', itemId: 'x' }),
    ];
    expect(nextRequestFor(queue, item)?.id).toBe('this-item');
    expect(nextRequestFor(queue.slice(0, 5), item)?.id).toBe('untargeted');
    expect(nextRequestFor(queue.slice(0, 4), item)).toBeNull();
  });
});
