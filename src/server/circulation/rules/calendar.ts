import { DateTime } from 'luxon';

/**
 * NET-6 / CIRC-3: a library's calendar as the rules need it. Calendar days are 'YYYY-MM-DD'
 * strings (they have no time zone, docs/decisions.md #4); instants are UTC `Date`s, turned
 * into local times with the library's time zone (the library's own, else its institution's:
 * the use case resolves that).
 *
 * A day is open when it is not a closed day and the weekly hours have an entry for its ISO
 * weekday. A library whose weekly hours are not configured at all counts as open every day
 * except its closed days, from 00:00 to 23:59:59 local time, so an unconfigured calendar
 * never makes lending impossible.
 *
 * Treat a calendar as immutable once built: the look-ups are cached per calendar object.
 */
export interface LibraryCalendar {
  timeZone: string;
  /** ISO weekday 1 (Monday) .. 7 (Sunday); times 'HH:MM' (or 'HH:MM:SS' as PostgreSQL returns them). */
  openingHours: readonly OpeningHours[];
  /** 'YYYY-MM-DD' */
  closedDays: readonly string[];
}

export interface OpeningHours {
  weekday: number;
  opens: string;
  closes: string;
}

/** How far the searches for an open day look before giving up: a year and a day. */
export const OPEN_DAY_SEARCH_LIMIT = 366;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

const MS_PER_DAY = 86_400_000;

/** A calendar day as a count of days since 1970-01-01: day arithmetic without a time zone, and fast. */
function toEpochDay(day: string): number {
  const m = DAY_PATTERN.exec(day);
  if (m) {
    const epochDay = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY;
    if (Number.isInteger(epochDay) && fromEpochDay(epochDay) === day) return epochDay;
  }
  throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${day}`);
}

function fromEpochDay(epochDay: number): string {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

/** ISO weekday of an epoch day; 1970-01-01 was a Thursday (4). */
function weekdayOf(epochDay: number): number {
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}

function parseTime(time: string): { hour: number; minute: number; second: number } {
  const m = TIME_PATTERN.exec(time);
  if (!m) throw new RangeError(`Not a time of day (HH:MM): ${time}`);
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  // '24:00' (a valid PostgreSQL time) is the end of the day.
  if (hour === 24 && minute === 0 && second === 0) return { hour: 23, minute: 59, second: 59 };
  if (hour > 23 || minute > 59 || second > 59) throw new RangeError(`Not a time of day (HH:MM): ${time}`);
  return { hour, minute, second };
}

/*
 * Turning a local time into an instant and back asks the platform's time zone data (luxon reads
 * it through Intl, several calls per conversion): a fifth of a millisecond for a due date, a
 * tenth of what the server spends on a loan (docs/benchmarks.md). Both functions are pure, and
 * the loans of a day ask for the same few days and times, so their answers are kept: per zone,
 * day and time for `localTime`, and per zone the spans of the local days last asked for `dayAt`
 * (today's, and the due days of the loans a return charges a fine for).
 * The kept answers are the platform's own; they change only with its time zone data, which a
 * running process does not reload.
 */
const KEPT_LOCAL_TIMES = 10_000;
const localTimes = new Map<string, number>();

/** The instant of a local time on a day in a time zone (a time in a DST gap moves forward, as luxon does). */
export function localTime(timeZone: string, day: string, time: string): Date {
  const key = `${timeZone} ${day} ${time}`;
  const kept = localTimes.get(key);
  if (kept !== undefined) return new Date(kept);
  const [year, month, date] = fromEpochDay(toEpochDay(day)).split('-').map(Number);
  const at = DateTime.fromObject({ year, month, day: date, ...parseTime(time) }, { zone: timeZone });
  if (!at.isValid) throw new RangeError(`Not a time zone: ${timeZone}`);
  if (localTimes.size >= KEPT_LOCAL_TIMES) localTimes.clear();
  localTimes.set(key, at.toMillis());
  return at.toJSDate();
}

/** Per zone, the local days last asked for, the latest first, and the instants each spans: [from, until). */
const localDays = new Map<string, { from: number; until: number; day: string }[]>();
const KEPT_DAYS_PER_ZONE = 16;

/** The calendar day of an instant in a time zone. */
export function dayAt(timeZone: string, instant: Date): string {
  const ms = instant.getTime();
  const kept = localDays.get(timeZone) ?? [];
  const i = kept.findIndex((span) => span.from <= ms && ms < span.until);
  const span = kept[i];
  if (span) {
    if (i > 0) kept.unshift(...kept.splice(i, 1));
    return span.day;
  }
  const local = DateTime.fromMillis(ms).setZone(timeZone);
  if (!local.isValid) throw new RangeError(`Not a time zone or an instant: ${timeZone}`);
  // The day starts at its first instant (not always 00:00: a DST change can skip midnight).
  const from = local.startOf('day');
  const until = from.plus({ days: 1 }).startOf('day');
  const day = local.toISODate();
  if (from.isValid && until.isValid && from.toMillis() <= ms && ms < until.toMillis()) {
    kept.unshift({ from: from.toMillis(), until: until.toMillis(), day });
    if (kept.length > KEPT_DAYS_PER_ZONE) kept.pop();
    localDays.set(timeZone, kept);
  }
  return day;
}

/** Plain calendar arithmetic: the day `n` days after `day` (n may be negative). */
export function plusDays(day: string, n: number): string {
  return fromEpochDay(toEpochDay(day) + n);
}

/** ISO weekday of a calendar day: 1 Monday .. 7 Sunday. */
export function isoWeekday(day: string): number {
  return weekdayOf(toEpochDay(day));
}

/** A calendar prepared for fast look-ups: closed days as epoch days, hours by weekday. */
interface PreparedCalendar {
  closed: ReadonlySet<number>;
  /** Index 1..7; undefined: closed that weekday. */
  hours: ({ opens: string; closes: string } | undefined)[];
}

const WHOLE_DAY = { opens: '00:00', closes: '23:59:59' } as const;
const prepared = new WeakMap<LibraryCalendar, PreparedCalendar>();

function prepare(calendar: LibraryCalendar): PreparedCalendar {
  let p = prepared.get(calendar);
  if (!p) {
    const hours: PreparedCalendar['hours'] = [];
    for (let weekday = 1; weekday <= 7; weekday++) {
      if (calendar.openingHours.length === 0) {
        hours[weekday] = WHOLE_DAY;
        continue;
      }
      const entries = calendar.openingHours.filter((h) => h.weekday === weekday);
      // One entry per weekday in the database; should there be several, the day spans them all.
      hours[weekday] =
        entries.length === 0
          ? undefined
          : {
              opens: entries.map((h) => h.opens).sort()[0] as string,
              closes: entries
                .map((h) => h.closes)
                .sort()
                .at(-1) as string,
            };
    }
    p = { closed: new Set(calendar.closedDays.map(toEpochDay)), hours };
    prepared.set(calendar, p);
  }
  return p;
}

function hoursOnEpochDay(
  calendar: LibraryCalendar,
  epochDay: number,
): { opens: string; closes: string } | null {
  const p = prepare(calendar);
  if (p.closed.has(epochDay)) return null;
  return p.hours[weekdayOf(epochDay)] ?? null;
}

/** The day's opening and closing times, or null when the library is closed that day. */
function hoursOn(calendar: LibraryCalendar, day: string): { opens: string; closes: string } | null {
  return hoursOnEpochDay(calendar, toEpochDay(day));
}

/** CIRC-3: whether the library is open on a calendar day. */
export function isOpenDay(calendar: LibraryCalendar, day: string): boolean {
  return hoursOn(calendar, day) !== null;
}

/**
 * CIRC-3: the first open day on or after `day` (the day itself when it is open), or null when
 * the library is closed for the whole search window (OPEN_DAY_SEARCH_LIMIT days).
 */
export function nextOpenDay(calendar: LibraryCalendar, day: string): string | null {
  const found = searchOpenDay(calendar, toEpochDay(day), 1);
  return found === null ? null : fromEpochDay(found);
}

/** The last open day on or before `day`, or null within the search window. */
export function previousOpenDay(calendar: LibraryCalendar, day: string): string | null {
  const found = searchOpenDay(calendar, toEpochDay(day), -1);
  return found === null ? null : fromEpochDay(found);
}

function searchOpenDay(calendar: LibraryCalendar, from: number, step: 1 | -1): number | null {
  for (let i = 0, day = from; i <= OPEN_DAY_SEARCH_LIMIT; i++, day += step) {
    if (hoursOnEpochDay(calendar, day) !== null) return day;
  }
  return null;
}

/** The instant the library opens on a day (00:00 local without weekly hours), or null when closed. */
export function openingTime(calendar: LibraryCalendar, day: string): Date | null {
  const hours = hoursOn(calendar, day);
  return hours && localTime(calendar.timeZone, day, hours.opens);
}

/** The instant the library closes on a day (23:59:59 local without weekly hours), or null when closed. */
export function closingTime(calendar: LibraryCalendar, day: string): Date | null {
  const hours = hoursOn(calendar, day);
  return hours && localTime(calendar.timeZone, day, hours.closes);
}

/**
 * The end of a day for a due date: the closing time when the library is open that day, else
 * 23:59:59 local time (used for caps that are never moved, such as the account's expiry).
 */
export function endOfDay(calendar: LibraryCalendar, day: string): Date {
  return closingTime(calendar, day) ?? localTime(calendar.timeZone, day, '23:59:59');
}

/** Whether the library is open at an instant: an open day, between its opening and closing times. */
export function isOpenAt(calendar: LibraryCalendar, instant: Date): boolean {
  const day = dayAt(calendar.timeZone, instant);
  const opens = openingTime(calendar, day);
  const closes = closingTime(calendar, day);
  return opens !== null && closes !== null && opens <= instant && instant <= closes;
}

/**
 * CIRC-3 (hold-shelf expiry): the n-th open day after `fromDay`, counting only open days
 * (n = 0: `fromDay` itself when open, else the next open day). Null when the library stays
 * closed for longer than the search window.
 */
export function addOpenDays(calendar: LibraryCalendar, fromDay: string, n: number): string | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Not a count of days: ${n}`);
  let day: number | null = toEpochDay(fromDay);
  if (n === 0) day = searchOpenDay(calendar, day, 1);
  for (let counted = 0; counted < n && day !== null; counted++) day = searchOpenDay(calendar, day + 1, 1);
  return day === null ? null : fromEpochDay(day);
}

/** CIRC-3 / CIRC-11: the open days after `fromDayExclusive` up to and including `toDayInclusive` (0 when none). */
export function countOpenDaysBetween(
  calendar: LibraryCalendar,
  fromDayExclusive: string,
  toDayInclusive: string,
): number {
  const last = toEpochDay(toDayInclusive);
  let count = 0;
  for (let day = toEpochDay(fromDayExclusive) + 1; day <= last; day++) {
    if (hoursOnEpochDay(calendar, day) !== null) count++;
  }
  return count;
}
