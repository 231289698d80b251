/**
 * Between records as the API holds them and the text staff type: numbers, amounts in minor
 * units, empty meaning null. Only what cannot be sent at all is checked here (a required field
 * left empty, text that is no number); every rule of the schema is the server's (its 400
 * VALIDATION_FAILED names the field, and the form shows it next to that field).
 */
import { parseMoney } from '../../format.ts';
import type { FieldSpec } from './fields.ts';

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;

export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

export function toFormValue(field: FieldSpec, value: unknown, currency: string): FormValue {
  if (field.kind === 'boolean') return value === true;
  if (value === null || value === undefined) return '';
  if (field.kind === 'money' && typeof value === 'number') {
    const digits = minorDigits(currency);
    return (value / 10 ** digits).toFixed(digits);
  }
  if (field.kind === 'list' && Array.isArray(value)) return value.join(', ');
  if (field.kind === 'time' && typeof value === 'string') return value.slice(0, 5);
  return String(value);
}

export function toFormValues(
  fields: FieldSpec[],
  record: Record<string, unknown> | null,
  currency: string,
): FormValues {
  const out: FormValues = {};
  for (const field of fields) {
    if (field.readOnly) continue;
    out[field.name] = record
      ? toFormValue(field, record[field.name], currency)
      : field.kind === 'boolean'
        ? defaultBoolean(field)
        : field.kind === 'enum' && !field.nullable
          ? (field.options[0]?.value ?? '')
          : '';
  }
  return out;
}

/** New records start as the database's defaults do: most flags on. */
function defaultBoolean(field: FieldSpec): boolean {
  return ['loanable', 'requestsAllowed', 'refundProcessingFeeOnReturn', 'recalculateOnRefresh'].includes(
    field.name,
  );
}

type Parsed = { ok: true; value: unknown } | { ok: true; omit: true } | { ok: false; message: string };

function parseField(field: FieldSpec, raw: FormValue, currency: string, creating: boolean): Parsed {
  if (field.kind === 'boolean') return { ok: true, value: raw === true };
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (field.kind === 'list') {
    return {
      ok: true,
      value: text === '' ? [] : text.split(/[\s,]+/).filter((s) => s !== ''),
    };
  }
  if (text === '') {
    if (field.nullable) return { ok: true, value: null };
    if (creating && !field.required) return { ok: true, omit: true };
    return { ok: false, message: 'is required' };
  }
  if (field.kind === 'number') {
    if (!/^-?\d+$/.test(text)) return { ok: false, message: 'enter a whole number' };
    return { ok: true, value: Number(text) };
  }
  if (field.kind === 'money') {
    const minor = parseMoney(text, currency);
    if (minor === null) return { ok: false, message: `enter an amount in ${currency}, such as 0.25` };
    return { ok: true, value: minor };
  }
  return { ok: true, value: field.kind === 'text' || field.kind === 'email' ? text : raw };
}

/**
 * The request body for a create (every field given) or an update (only the fields changed,
 * so the audit trail shows exactly what changed), or the fields that cannot be sent.
 */
export function buildBody(
  fields: FieldSpec[],
  values: FormValues,
  original: Record<string, unknown> | null,
  currency: string,
): { body: Record<string, unknown>; errors: Record<string, string> } {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const creating = original === null;
  for (const field of fields) {
    if (field.readOnly || (!creating && field.immutable)) continue;
    const raw = values[field.name] ?? '';
    const parsed = parseField(field, raw, currency, creating);
    if (!parsed.ok) {
      errors[field.name] = parsed.message;
      continue;
    }
    if ('omit' in parsed) continue;
    if (
      !creating &&
      JSON.stringify(parsed.value) === JSON.stringify(normalise(field, original[field.name]))
    ) {
      continue;
    }
    body[field.name] = parsed.value;
  }
  return { body, errors };
}

function normalise(field: FieldSpec, value: unknown): unknown {
  if (value === undefined) return null;
  if (field.kind === 'time' && typeof value === 'string') return value.slice(0, 5);
  return value;
}
