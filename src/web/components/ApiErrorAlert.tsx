import { List, Text } from '@mantine/core';
import { ApiError, errorMessage } from '../api.ts';
import { ErrorMessage } from './Messages.tsx';

/** One reason a circulation action was refused, as the API lists them (CIRC-4: all at once). */
export interface RefusalReason {
  code: string;
  message: string;
  overridable: boolean;
  details?: unknown;
}

/** The refusal reasons an API error carries in `details.reasons`, or [] when it has none. */
export function refusalReasons(error: unknown): RefusalReason[] {
  if (!(error instanceof ApiError)) return [];
  const details = error.details as { reasons?: unknown } | null | undefined;
  if (!details || !Array.isArray(details.reasons)) return [];
  return details.reasons.filter(
    (r): r is RefusalReason =>
      typeof r === 'object' && r !== null && typeof (r as RefusalReason).code === 'string',
  );
}

/** Field errors of a 400 VALIDATION_FAILED (`details.fields`: [{ field, message }]) by field name. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const fields = (error.details as { fields?: unknown } | null | undefined)?.fields;
  if (!Array.isArray(fields)) return {};
  const out: Record<string, string> = {};
  for (const f of fields as { field?: unknown; message?: unknown }[]) {
    if (typeof f.field !== 'string') continue;
    out[f.field] = out[f.field] ? `${out[f.field]} ${String(f.message)}` : String(f.message);
  }
  return out;
}

/**
 * An API error announced as an alert: its message, then every refusal reason on its own line
 * (so staff see everything that stops the action at once).
 */
export function ApiErrorAlert({ title, error }: { title: string; error: unknown }) {
  const reasons = refusalReasons(error);
  return (
    <ErrorMessage title={title}>
      {reasons.length > 0 ? (
        <>
          <Text inherit component="span">
            {reasons.length === 1 ? 'Reason:' : `${reasons.length} reasons:`}
          </Text>
          <List size="sm" data-testid="refusal-reasons">
            {reasons.map((r) => (
              <List.Item key={r.code}>
                {r.message}
                {r.overridable ? ' (can be overridden)' : ''}
              </List.Item>
            ))}
          </List>
        </>
      ) : (
        errorMessage(error)
      )}
    </ErrorMessage>
  );
}
