import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addOpenDays,
  closingTime,
  countOpenDaysBetween,
  dayAt,
  endOfDay,
  isOpenAt,
  isOpenDay,
  isoWeekday,
  localTime,
  nextOpenDay,
  OPEN_DAY_SEARCH_LIMIT,
  openingTime,
  plusDays,
  previousOpenDay,
} from './calendar.ts';
import {
  alwaysClosed,
  berlin,
  EAST_LIBRARY,
  SCIENCE_LIBRARY,
  UNCONFIGURED_LIBRARY,
} from './test-calendars.ts';

describe('calendar days (CIRC-3)', () => {
  it('CIRC-3: day arithmetic is plain calendar arithmetic, across months, years and leap days', () => {
    expect(plusDays('2025-01-31', 1)).toBe('2025-02-01');
    expect(plusDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(plusDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(plusDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(plusDays('2025-03-29', 2)).toBe('2025-03-31'); // across the DST change: still two days
  });

  it('CIRC-3: ISO weekdays run from 1 Monday to 7 Sunday', () => {
    expect(isoWeekday('2025-01-06')).toBe(1);
    expect(isoWeekday('2025-01-11')).toBe(6);
    expect(isoWeekday('2025-01-12')).toBe(7);
  });

  it('CIRC-3: the day of an instant is the day in the library zone', () => {
    const lateEvening = new Date('2025-01-06T23:30:00Z');
    expect(dayAt('Europe/Berlin', lateEvening)).toBe('2025-01-07');
    expect(dayAt('America/New_York', lateEvening)).toBe('2025-01-06');
    expect(dayAt('UTC', lateEvening)).toBe('2025-01-06');
  });

  it('CIRC-3: a kept day answers only within its local day: across midnights, short and long days, a day that starts at 01:00', () => {
    // Instants in time order, as a desk asks, every 7 minutes over days with DST changes: the
    // kept answer must be luxon's own every time. Santiago's spring change skips midnight.
    const spans = [
      ['America/Toronto', '2026-03-07T00:00:00Z'],
      ['America/Toronto', '2026-10-31T00:00:00Z'],
      ['Europe/Berlin', '2026-03-28T00:00:00Z'],
      ['America/Santiago', '2026-09-04T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T00:00:00Z'],
    ] as const;
    for (const [zone, start] of spans) {
      for (let t = Date.parse(start); t < Date.parse(start) + 3 * 86_400_000; t += 7 * 60_000) {
        const expected = DateTime.fromMillis(t).setZone(zone).toISODate();
        expect(dayAt(zone, new Date(t)), `${zone} at ${new Date(t).toISOString()}`).toBe(expected);
        // Asked again after another zone, a day long ago (a due date) and a moment earlier:
        // still the same answers.
        expect(dayAt('UTC', new Date(t))).toBe(new Date(t).toISOString().slice(0, 10));
        const dueLongAgo = t - 9 * 86_400_000 - 3_600_000;
        expect(dayAt(zone, new Date(dueLongAgo))).toBe(
          DateTime.fromMillis(dueLongAgo).setZone(zone).toISODate(),
        );
        expect(dayAt(zone, new Date(t - 1))).toBe(
          DateTime.fromMillis(t - 1)
            .setZone(zone)
            .toISODate(),
        );
      }
    }
  });

  it('a kept local time is handed out as a new instant each time', () => {
    const first = localTime('Europe/Berlin', '2025-01-06', '09:30');
    first.setTime(0);
    expect(localTime('Europe/Berlin', '2025-01-06', '09:30')).toEqual(new Date('2025-01-06T08:30:00Z'));
  });

  it('refuses malformed days, times and time zones as programming errors', () => {
    expect(() => plusDays('2025-1-6', 1)).toThrow(RangeError);
    expect(() => plusDays('2025-02-30', 1)).toThrow(RangeError);
    expect(() => isOpenDay(SCIENCE_LIBRARY, 'tomorrow')).toThrow(RangeError);
    expect(() => localTime('Mars/Olympus', '2025-01-06', '09:00')).toThrow(RangeError);
    expect(() => localTime('Europe/Berlin', '2025-01-06', '9am')).toThrow(RangeError);
    expect(() => localTime('Europe/Berlin', '2025-01-06', '25:00')).toThrow(RangeError);
    expect(() => dayAt('Mars/Olympus', new Date())).toThrow(RangeError);
  });

  it('reads local times as HH:MM or HH:MM:SS, and 24:00 as the end of the day', () => {
    expect(localTime('Europe/Berlin', '2025-01-06', '09:30')).toEqual(new Date('2025-01-06T08:30:00Z'));
    expect(localTime('Europe/Berlin', '2025-01-06', '09:30:15')).toEqual(new Date('2025-01-06T08:30:15Z'));
    expect(localTime('Europe/Berlin', '2025-01-06', '24:00')).toEqual(new Date('2025-01-06T22:59:59Z'));
  });
});

describe('open and closed days (CIRC-3)', () => {
  it('CIRC-3: a weekday with opening hours is open', () => {
    expect(isOpenDay(SCIENCE_LIBRARY, '2025-01-06')).toBe(true);
    expect(isOpenDay(SCIENCE_LIBRARY, '2025-01-11')).toBe(true);
  });

  it('CIRC-3: a weekday without opening hours is closed', () => {
    expect(isOpenDay(SCIENCE_LIBRARY, '2025-01-12')).toBe(false);
    expect(isOpenDay(EAST_LIBRARY, '2025-01-11')).toBe(false);
  });

  it('CIRC-3: a closed day is closed whatever the weekly hours say', () => {
    expect(isOpenDay(SCIENCE_LIBRARY, '2025-12-25')).toBe(false);
    expect(isOpenDay(EAST_LIBRARY, '2025-07-04')).toBe(false);
  });

  it('CIRC-3: a library without weekly hours is open every day but its closed days', () => {
    expect(isOpenDay(UNCONFIGURED_LIBRARY, '2025-01-11')).toBe(true);
    expect(isOpenDay(UNCONFIGURED_LIBRARY, '2025-01-13')).toBe(true);
    expect(isOpenDay(UNCONFIGURED_LIBRARY, '2025-01-12')).toBe(false);
  });

  it('CIRC-3: the next open day of an open day is the day itself', () => {
    expect(nextOpenDay(SCIENCE_LIBRARY, '2025-01-06')).toBe('2025-01-06');
  });

  it('CIRC-3: the next open day skips weekly closures and closed days', () => {
    expect(nextOpenDay(SCIENCE_LIBRARY, '2025-01-12')).toBe('2025-01-13');
    expect(nextOpenDay(SCIENCE_LIBRARY, '2025-12-24')).toBe('2025-12-27');
    expect(nextOpenDay(EAST_LIBRARY, '2025-07-04')).toBe('2025-07-07');
  });

  it('CIRC-3: the previous open day looks back the same way', () => {
    expect(previousOpenDay(SCIENCE_LIBRARY, '2025-12-26')).toBe('2025-12-23');
    expect(previousOpenDay(SCIENCE_LIBRARY, '2025-01-08')).toBe('2025-01-08');
  });

  it('CIRC-3: the search for an open day is bounded and says when the library never opens', () => {
    const closed = alwaysClosed('2025-01-01', OPEN_DAY_SEARCH_LIMIT + 10);
    expect(nextOpenDay(closed, '2025-01-01')).toBeNull();
    expect(previousOpenDay(closed, plusDays('2025-01-01', OPEN_DAY_SEARCH_LIMIT + 5))).toBeNull();
    const opensAtLast = alwaysClosed('2025-01-01', 30);
    expect(nextOpenDay(opensAtLast, '2025-01-01')).toBe('2025-01-31');
  });
});

describe('opening and closing times in the library zone (CIRC-3)', () => {
  it("CIRC-3: the closing time is the library's local closing time as a UTC instant", () => {
    expect(closingTime(SCIENCE_LIBRARY, '2025-01-06')).toEqual(new Date('2025-01-06T19:00:00Z'));
    expect(openingTime(SCIENCE_LIBRARY, '2025-01-06')).toEqual(new Date('2025-01-06T08:00:00Z'));
    expect(closingTime(SCIENCE_LIBRARY, '2025-01-11')).toEqual(new Date('2025-01-11T13:00:00Z'));
    expect(closingTime(EAST_LIBRARY, '2025-01-06')).toEqual(new Date('2025-01-06T23:00:00Z'));
  });

  it('CIRC-3: closing times follow summer time', () => {
    expect(closingTime(SCIENCE_LIBRARY, '2025-03-29')).toEqual(new Date('2025-03-29T13:00:00Z'));
    expect(closingTime(SCIENCE_LIBRARY, '2025-03-31')).toEqual(new Date('2025-03-31T18:00:00Z'));
    expect(closingTime(SCIENCE_LIBRARY, '2025-10-27')).toEqual(new Date('2025-10-27T19:00:00Z'));
    expect(closingTime(EAST_LIBRARY, '2025-07-07')).toEqual(new Date('2025-07-07T22:00:00Z'));
  });

  it('CIRC-3: a closed day has no opening or closing time', () => {
    expect(closingTime(SCIENCE_LIBRARY, '2025-01-12')).toBeNull();
    expect(openingTime(SCIENCE_LIBRARY, '2025-12-25')).toBeNull();
  });

  it('CIRC-3: without weekly hours an open day runs from 00:00 to 23:59:59 local time', () => {
    expect(openingTime(UNCONFIGURED_LIBRARY, '2025-01-06')).toEqual(new Date('2025-01-05T23:00:00Z'));
    expect(closingTime(UNCONFIGURED_LIBRARY, '2025-01-06')).toEqual(new Date('2025-01-06T22:59:59Z'));
    expect(closingTime(UNCONFIGURED_LIBRARY, '2025-01-12')).toBeNull();
  });

  it('CIRC-3: the end of a day is its closing time, or 23:59:59 local on a closed day', () => {
    expect(endOfDay(SCIENCE_LIBRARY, '2025-01-06')).toEqual(new Date('2025-01-06T19:00:00Z'));
    expect(endOfDay(SCIENCE_LIBRARY, '2025-01-12')).toEqual(new Date('2025-01-12T22:59:59Z'));
    expect(endOfDay(SCIENCE_LIBRARY, '2025-07-13')).toEqual(new Date('2025-07-13T21:59:59Z'));
  });

  it('CIRC-3: the library is open at an instant only between opening and closing on an open day', () => {
    expect(isOpenAt(SCIENCE_LIBRARY, berlin('2025-01-06T09:00'))).toBe(true);
    expect(isOpenAt(SCIENCE_LIBRARY, berlin('2025-01-06T20:00'))).toBe(true);
    expect(isOpenAt(SCIENCE_LIBRARY, berlin('2025-01-06T08:59'))).toBe(false);
    expect(isOpenAt(SCIENCE_LIBRARY, berlin('2025-01-06T20:01'))).toBe(false);
    expect(isOpenAt(SCIENCE_LIBRARY, berlin('2025-01-12T12:00'))).toBe(false);
    expect(isOpenAt(UNCONFIGURED_LIBRARY, berlin('2025-01-06T03:00'))).toBe(true);
  });

  it('keeps several entries for one weekday as one span from the first opening to the last closing', () => {
    const split = {
      timeZone: 'UTC',
      openingHours: [
        { weekday: 1, opens: '14:00', closes: '18:00' },
        { weekday: 1, opens: '08:00', closes: '12:00' },
      ],
      closedDays: [],
    };
    expect(openingTime(split, '2025-01-06')).toEqual(new Date('2025-01-06T08:00:00Z'));
    expect(closingTime(split, '2025-01-06')).toEqual(new Date('2025-01-06T18:00:00Z'));
  });
});

describe('counting open days (CIRC-3: hold-shelf expiry, CIRC-11: fines)', () => {
  it('CIRC-3: adding open days counts only open days', () => {
    expect(addOpenDays(SCIENCE_LIBRARY, '2025-01-10', 1)).toBe('2025-01-11');
    expect(addOpenDays(SCIENCE_LIBRARY, '2025-01-10', 2)).toBe('2025-01-13');
    expect(addOpenDays(SCIENCE_LIBRARY, '2025-01-06', 7)).toBe('2025-01-14');
    expect(addOpenDays(SCIENCE_LIBRARY, '2025-12-22', 3)).toBe('2025-12-29');
  });

  it('CIRC-3: adding open days from a closed day starts counting after it', () => {
    expect(addOpenDays(SCIENCE_LIBRARY, '2025-01-12', 1)).toBe('2025-01-13');
  });

  it('CIRC-3: adding zero open days gives the day itself when open, else the next open day', () => {
    expect(addOpenDays(SCIENCE_LIBRARY, '2025-01-06', 0)).toBe('2025-01-06');
    expect(addOpenDays(SCIENCE_LIBRARY, '2025-01-12', 0)).toBe('2025-01-13');
  });

  it('CIRC-3: adding open days to a library that never opens gives null', () => {
    expect(addOpenDays(alwaysClosed('2025-01-01', 400), '2025-01-01', 3)).toBeNull();
  });

  it('refuses a negative or fractional count of open days', () => {
    expect(() => addOpenDays(SCIENCE_LIBRARY, '2025-01-06', -1)).toThrow(RangeError);
    expect(() => addOpenDays(SCIENCE_LIBRARY, '2025-01-06', 1.5)).toThrow(RangeError);
  });

  it('CIRC-11: counting open days excludes the first day and includes the last', () => {
    expect(countOpenDaysBetween(SCIENCE_LIBRARY, '2025-01-06', '2025-01-07')).toBe(1);
    expect(countOpenDaysBetween(SCIENCE_LIBRARY, '2025-01-06', '2025-01-10')).toBe(4);
  });

  it("CIRC-3: counting open days skips the library's closed days", () => {
    expect(countOpenDaysBetween(SCIENCE_LIBRARY, '2025-01-10', '2025-01-13')).toBe(2); // Sat, Mon
    expect(countOpenDaysBetween(SCIENCE_LIBRARY, '2025-12-23', '2025-12-29')).toBe(2); // 27th, 29th
    expect(countOpenDaysBetween(EAST_LIBRARY, '2025-07-03', '2025-07-07')).toBe(1);
  });

  it('CIRC-11: no open days between a day and itself or an earlier day', () => {
    expect(countOpenDaysBetween(SCIENCE_LIBRARY, '2025-01-06', '2025-01-06')).toBe(0);
    expect(countOpenDaysBetween(SCIENCE_LIBRARY, '2025-01-07', '2025-01-06')).toBe(0);
  });

  it('CIRC-11: counts a long stretch exactly', () => {
    // 2025: 365 days, 52 Sundays, 4 closed weekdays.
    expect(countOpenDaysBetween(SCIENCE_LIBRARY, '2024-12-31', '2025-12-31')).toBe(365 - 52 - 4);
  });
});
