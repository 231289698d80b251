import { DateTime } from 'luxon';
import type { LibraryCalendar } from './calendar.ts';

/**
 * Calendars for the unit tests of the rules. 2025-01-06 is a Monday; Europe/Berlin changes to
 * summer time on Sunday 2025-03-30 and back on Sunday 2025-10-26.
 */
export const SCIENCE_LIBRARY: LibraryCalendar = {
  timeZone: 'Europe/Berlin',
  openingHours: [
    { weekday: 1, opens: '09:00', closes: '20:00' },
    { weekday: 2, opens: '09:00', closes: '20:00' },
    { weekday: 3, opens: '09:00', closes: '20:00' },
    { weekday: 4, opens: '09:00', closes: '20:00' },
    { weekday: 5, opens: '09:00', closes: '20:00' },
    { weekday: 6, opens: '10:00', closes: '14:00' },
  ],
  closedDays: ['2025-01-01', '2025-12-24', '2025-12-25', '2025-12-26'],
};

/** Weekdays only, in New York, with PostgreSQL's 'HH:MM:SS' times. */
export const EAST_LIBRARY: LibraryCalendar = {
  timeZone: 'America/New_York',
  openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00:00', closes: '18:00:00' })),
  closedDays: ['2025-07-04'],
};

/** No weekly hours configured: open every day but its closed days, 00:00 to 23:59:59. */
export const UNCONFIGURED_LIBRARY: LibraryCalendar = {
  timeZone: 'Europe/Berlin',
  openingHours: [],
  closedDays: ['2025-01-12'],
};

/** A local time in Berlin as an instant. */
export function berlin(local: string): Date {
  return zoned(local, 'Europe/Berlin');
}

/** A local time in New York as an instant. */
export function newYork(local: string): Date {
  return zoned(local, 'America/New_York');
}

function zoned(local: string, zone: string): Date {
  const at = DateTime.fromISO(local, { zone });
  if (!at.isValid) throw new Error(`bad test time ${local}`);
  return at.toJSDate();
}

/** A calendar closed every day for more than the search window. */
export function alwaysClosed(from: string, days: number): LibraryCalendar {
  const start = DateTime.fromISO(from, { zone: 'UTC' });
  return {
    timeZone: 'Europe/Berlin',
    openingHours: [],
    closedDays: Array.from({ length: days }, (_, i) => start.plus({ days: i }).toISODate() as string),
  };
}
