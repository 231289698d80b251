import { useCallback, useEffect, useState } from 'react';
import {
  type ConfigRecord,
  getInstitution,
  type Institution,
  listRecords,
  type ResourcePath,
} from '../../api/configuration.ts';
import { errorMessage, isAbort, listPublicInstitutions } from '../../api.ts';
import { formatDate, formatMoney } from '../../format.ts';
import type { EnumOption, FieldSpec } from './fields.ts';

export type Lists = Partial<Record<ResourcePath | 'institutions', ConfigRecord[]>>;

/**
 * Loads several configuration lists at once; `reload()` loads them again after a change.
 * `error` holds the first failure in words.
 */
export function useConfigLists(institutionId: string, paths: (ResourcePath | 'institutions')[]) {
  const key = paths.join('|');
  const [lists, setLists] = useState<Lists | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `paths`; `generation` reloads
  useEffect(() => {
    const controller = new AbortController();
    const wanted = key.split('|').filter((p) => p !== '') as (ResourcePath | 'institutions')[];
    Promise.all(
      wanted.map(async (path): Promise<[string, ConfigRecord[]]> => {
        if (path === 'institutions') {
          const members = await listPublicInstitutions(controller.signal);
          return [path, members.map((m) => ({ ...m, institutionId: m.id }))];
        }
        return [path, await listRecords(institutionId, path, controller.signal)];
      }),
    )
      .then((entries) => {
        setLists(Object.fromEntries(entries) as Lists);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId, key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { lists, error, reload };
}

/** The institution record (its currency for amounts, its settings). */
export function useInstitution(institutionId: string) {
  const [institution, setInstitution] = useState<Institution | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` reloads
  useEffect(() => {
    const controller = new AbortController();
    getInstitution(institutionId, controller.signal)
      .then((i) => {
        setInstitution(i);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { institution, error, reload, setInstitution };
}

/** How a record of a list is named in a select and a table. */
export function optionLabel(path: string, record: ConfigRecord): string {
  const name = typeof record.name === 'string' ? record.name : String(record.code ?? record.id);
  if (path === 'locations' && typeof record.libraryName === 'string')
    return `${name} (${record.libraryName})`;
  return name;
}

export function referenceOptions(lists: Lists | null, path: ResourcePath | 'institutions'): EnumOption[] {
  return (lists?.[path] ?? []).map((r) => ({ value: r.id, label: optionLabel(path, r) }));
}

/** A stored value in words, as the tables show it. */
export function displayValue(
  field: FieldSpec,
  value: unknown,
  lists: Lists | null,
  currency: string,
): string {
  if (field.kind === 'boolean') return value === true ? 'Yes' : 'No';
  if (field.kind === 'reference') {
    if (value === null || value === undefined || value === '') return field.anyLabel ?? '—';
    const record = lists?.[field.resource]?.find((r) => r.id === value);
    return record ? optionLabel(field.resource, record) : String(value);
  }
  if (value === null || value === undefined || value === '') return '—';
  if (field.kind === 'enum') return field.options.find((o) => o.value === value)?.label ?? String(value);
  if (field.kind === 'money' && typeof value === 'number') return formatMoney(value, currency);
  if (field.kind === 'date' && typeof value === 'string') return formatDate(value);
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.join(', ');
  return String(value);
}
