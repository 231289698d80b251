const toCamel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const toSnake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A database row as an API object: camelCase keys, timestamps as ISO strings. */
export function rowToApi(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row))
    out[toCamel(key)] = value instanceof Date ? value.toISOString() : value;
  return out;
}

/** An API object as database columns: snake_case keys; undefined fields are left out. */
export function apiToRow(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[toSnake(key)] = value;
  return out;
}
