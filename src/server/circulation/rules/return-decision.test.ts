import { describe, expect, it } from 'vitest';
import { decideReturn, describeNextStep, type ReturnDecisionInput } from './return-decision.ts';

// The owner: North University, whose Main Library is the item's home; it also has a Law Library.
const NORTH = 'inst-north';
const NORTH_MAIN = 'lib-north-main';
const NORTH_LAW = 'lib-north-law';
// Other members: South College (Science Library) and East Institute (Central Library).
const SOUTH = 'inst-south';
const SOUTH_SCIENCE = 'lib-south-science';
const EAST = 'inst-east';
const EAST_CENTRAL = 'lib-east-central';

const NAMES = {
  libraries: {
    [NORTH_MAIN]: 'North University, Main Library',
    [NORTH_LAW]: 'North University, Law Library',
    [SOUTH_SCIENCE]: 'South College, Science Library',
    [EAST_CENTRAL]: 'East Institute, Central Library',
  },
  requesters: { 'req-1': 'Ada Lovelace' },
};

function input(overrides: Partial<ReturnDecisionInput> = {}): ReturnDecisionInput {
  return {
    item: { owningInstitutionId: NORTH, homeLibraryId: NORTH_MAIN },
    scannedAt: { institutionId: NORTH, libraryId: NORTH_MAIN },
    nextRequest: null,
    openTransitForRequest: null,
    ...overrides,
  };
}

const requestPickingUpAt = (libraryId: string, institutionId: string) => ({
  requestId: 'req-1',
  patronId: 'patron-ada',
  pickupLibraryId: libraryId,
  pickupInstitutionId: institutionId,
});

describe('decideReturn (CIRC-6)', () => {
  it('CIRC-6: an item returned at its home library with no request is reshelved there', () => {
    expect(decideReturn(input())).toEqual({ kind: 'reshelve', libraryId: NORTH_MAIN });
  });

  it('CIRC-6: an item returned at another library of its owner goes home (home_library)', () => {
    expect(decideReturn(input({ scannedAt: { institutionId: NORTH, libraryId: NORTH_LAW } }))).toEqual({
      kind: 'transit',
      reason: 'home_library',
      toLibraryId: NORTH_MAIN,
    });
  });

  it('CIRC-6 / FN-6: an item returned at another institution goes back to its owner (return_to_owner)', () => {
    expect(decideReturn(input({ scannedAt: { institutionId: SOUTH, libraryId: SOUTH_SCIENCE } }))).toEqual({
      kind: 'transit',
      reason: 'return_to_owner',
      toLibraryId: NORTH_MAIN,
    });
  });

  it('CIRC-6: the next request picking up here puts the item on the hold shelf here', () => {
    expect(decideReturn(input({ nextRequest: requestPickingUpAt(NORTH_MAIN, NORTH) }))).toEqual({
      kind: 'hold_shelf',
      requestId: 'req-1',
      libraryId: NORTH_MAIN,
    });
  });

  it('CIRC-6: the next request picking up at another library of the owner sends the item there', () => {
    expect(decideReturn(input({ nextRequest: requestPickingUpAt(NORTH_LAW, NORTH) }))).toEqual({
      kind: 'transit',
      reason: 'request',
      toLibraryId: NORTH_LAW,
      requestId: 'req-1',
    });
  });

  it('CIRC-6 / FN-6: returned at another member, the item goes straight to the next pickup library, with no detour home', () => {
    const decision = decideReturn(
      input({
        scannedAt: { institutionId: SOUTH, libraryId: SOUTH_SCIENCE },
        nextRequest: requestPickingUpAt(EAST_CENTRAL, EAST),
      }),
    );
    expect(decision).toEqual({
      kind: 'transit',
      reason: 'request',
      toLibraryId: EAST_CENTRAL,
      requestId: 'req-1',
    });
  });

  it('CIRC-6 / FN-4: returned at the pickup library of another member, the item goes on its hold shelf', () => {
    const decision = decideReturn(
      input({
        scannedAt: { institutionId: SOUTH, libraryId: SOUTH_SCIENCE },
        nextRequest: requestPickingUpAt(SOUTH_SCIENCE, SOUTH),
      }),
    );
    expect(decision).toEqual({ kind: 'hold_shelf', requestId: 'req-1', libraryId: SOUTH_SCIENCE });
  });

  it('CIRC-6: a request picking up at the home library brings a foreign return home for the request', () => {
    const decision = decideReturn(
      input({
        scannedAt: { institutionId: SOUTH, libraryId: SOUTH_SCIENCE },
        nextRequest: requestPickingUpAt(NORTH_MAIN, NORTH),
      }),
    );
    expect(decision).toEqual({
      kind: 'transit',
      reason: 'request',
      toLibraryId: NORTH_MAIN,
      requestId: 'req-1',
    });
  });

  it('CIRC-9: scanned at its destination, an item in transit for a request goes on the hold shelf there', () => {
    const decision = decideReturn(
      input({
        scannedAt: { institutionId: EAST, libraryId: EAST_CENTRAL },
        openTransitForRequest: { requestId: 'req-7', toLibraryId: EAST_CENTRAL },
      }),
    );
    expect(decision).toEqual({ kind: 'hold_shelf', requestId: 'req-7', libraryId: EAST_CENTRAL });
  });

  it('CIRC-9: scanned at a third place, an item in transit for a request keeps its destination', () => {
    const decision = decideReturn(
      input({
        scannedAt: { institutionId: SOUTH, libraryId: SOUTH_SCIENCE },
        openTransitForRequest: { requestId: 'req-7', toLibraryId: EAST_CENTRAL },
      }),
    );
    expect(decision).toEqual({
      kind: 'transit',
      reason: 'request',
      toLibraryId: EAST_CENTRAL,
      requestId: 'req-7',
    });
  });

  it('CIRC-9: a request transit wins over the queue: the next request does not redirect it', () => {
    const decision = decideReturn(
      input({
        openTransitForRequest: { requestId: 'req-7', toLibraryId: EAST_CENTRAL },
        nextRequest: requestPickingUpAt(NORTH_MAIN, NORTH),
      }),
    );
    expect(decision).toEqual({
      kind: 'transit',
      reason: 'request',
      toLibraryId: EAST_CENTRAL,
      requestId: 'req-7',
    });
  });

  it('CIRC-9: a request transit scanned at the home library still goes on to its destination', () => {
    const decision = decideReturn(
      input({ openTransitForRequest: { requestId: 'req-7', toLibraryId: SOUTH_SCIENCE } }),
    );
    expect(decision).toMatchObject({ kind: 'transit', reason: 'request', toLibraryId: SOUTH_SCIENCE });
  });
});

describe('describeNextStep (CIRC-6: what the operator is told)', () => {
  it('CIRC-6: a transit names the library it goes to', () => {
    expect(
      describeNextStep(
        { kind: 'transit', reason: 'request', toLibraryId: SOUTH_SCIENCE, requestId: 'req-1' },
        NAMES,
      ),
    ).toBe('Put in transit to South College, Science Library');
    expect(
      describeNextStep({ kind: 'transit', reason: 'return_to_owner', toLibraryId: NORTH_MAIN }, NAMES),
    ).toBe('Put in transit to North University, Main Library');
    expect(
      describeNextStep({ kind: 'transit', reason: 'home_library', toLibraryId: NORTH_MAIN }, NAMES),
    ).toBe('Put in transit to North University, Main Library');
  });

  it('CIRC-6: the hold shelf names the requester', () => {
    expect(describeNextStep({ kind: 'hold_shelf', requestId: 'req-1', libraryId: NORTH_MAIN }, NAMES)).toBe(
      'Place on the hold shelf for Ada Lovelace',
    );
  });

  it('CIRC-6: without a requester name the hold shelf names the request', () => {
    expect(
      describeNextStep(
        { kind: 'hold_shelf', requestId: 'req-9', libraryId: NORTH_MAIN },
        { libraries: NAMES.libraries },
      ),
    ).toBe('Place on the hold shelf for request req-9');
  });

  it('CIRC-6: reshelving names the library', () => {
    expect(describeNextStep({ kind: 'reshelve', libraryId: NORTH_MAIN }, NAMES)).toBe(
      'Reshelve at North University, Main Library',
    );
  });

  it('CIRC-6: an unnamed library falls back to its id', () => {
    expect(describeNextStep({ kind: 'reshelve', libraryId: 'lib-x' }, { libraries: {} })).toBe(
      'Reshelve at lib-x',
    );
  });

  it('CIRC-6: every decision of the rule can be put in words', () => {
    const decisions = [
      decideReturn(input()),
      decideReturn(input({ scannedAt: { institutionId: SOUTH, libraryId: SOUTH_SCIENCE } })),
      decideReturn(input({ nextRequest: requestPickingUpAt(NORTH_MAIN, NORTH) })),
    ];
    expect(decisions.map((d) => describeNextStep(d, NAMES))).toEqual([
      'Reshelve at North University, Main Library',
      'Put in transit to North University, Main Library',
      'Place on the hold shelf for Ada Lovelace',
    ]);
  });
});
