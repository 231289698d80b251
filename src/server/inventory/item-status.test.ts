import { describe, expect, it } from 'vitest';
import { describeItemStatus } from './item-status.ts';

describe('describeItemStatus (CIRC-1)', () => {
  it('says an item in place is on the shelf', () => {
    expect(describeItemStatus({ inPlace: true, processType: null, withdrawn: false })).toEqual({
      status: 'in_place',
      statusText: 'On the shelf',
    });
  });

  it('names the process type of an item not in place', () => {
    expect(describeItemStatus({ inPlace: false, processType: 'transit', withdrawn: false })).toEqual({
      status: 'not_in_place',
      statusText: 'In transit',
    });
    expect(
      describeItemStatus({ inPlace: false, processType: 'hold_shelf', withdrawn: false }).statusText,
    ).toBe('On the hold shelf');
  });

  it('puts withdrawal above everything else', () => {
    expect(describeItemStatus({ inPlace: true, processType: null, withdrawn: true }).status).toBe(
      'withdrawn',
    );
  });
});
