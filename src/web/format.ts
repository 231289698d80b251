/**
 * How the staff screens write money and dates. Amounts are in minor units with the owning
 * institution's currency (CIRC-11); dates and times in the browser's locale.
 */
const MINOR_DIGITS_CACHE = new Map<string, number>();

function minorDigits(currency: string): number {
  let digits = MINOR_DIGITS_CACHE.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    MINOR_DIGITS_CACHE.set(currency, digits);
  }
  return digits;
}

/** 1250, 'EUR' → "€12.50". */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amountMinor / 10 ** digits);
}

/** "12.50" typed by staff → 1250 minor units for the currency; null when it is not an amount. */
export function parseMoney(text: string, currency: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  const digits = minorDigits(currency);
  const [whole, fraction = ''] = cleaned.split('.');
  if (fraction.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** An ISO timestamp as a date and time, e.g. "28 Nov 2026, 14:05". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** An ISO timestamp or date as a date, e.g. "28 Nov 2026". */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
  return date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** The overdue fine a return set, as the desk says it; null when the item came back on time. */
export function describeReturnFine(
  fine:
    | { amountMinor: number; currency: string; overdueDays: number; chargedDays: number }
    | null
    | undefined,
): string | null {
  if (!fine || fine.overdueDays <= 0) return null;
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  if (fine.amountMinor > 0)
    return `Returned late (${days(fine.overdueDays)} overdue): overdue fine ${formatMoney(fine.amountMinor, fine.currency)} for ${fine.chargedDays} charged day${fine.chargedDays === 1 ? '' : 's'}.`;
  return `Returned late (${days(fine.overdueDays)} overdue), no fine charged.`;
}
