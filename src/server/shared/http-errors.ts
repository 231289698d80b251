import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, STATUS_BY_KIND } from './errors.ts';

/** The body of every error response. */
export const errorBodySchema = z
  .object({
    code: z.string().describe('Stable machine-readable code, e.g. VALIDATION_FAILED'),
    message: z.string(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });

/** The error statuses every staff route may answer, for its OpenAPI description. */
export const ERROR_RESPONSES = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
};

const toCamel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

interface PgError {
  code: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

function isPgError(error: unknown): error is PgError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code) &&
    'severity' in error
  );
}

/** Field names from a PostgreSQL key detail, `Key (institution_id, code)=(...)`, without the tenant key. */
function fieldsFromDetail(detail: string | undefined): string[] {
  const match = detail?.match(/^Key \(([^)]*)\)/);
  if (!match?.[1]) return [];
  return match[1]
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== 'institution_id' && !f.startsWith('COALESCE') && !f.startsWith('coalesce'))
    .map(toCamel);
}

const problems = (fields: string[], message: string) => fields.map((field) => ({ field, message }));

/**
 * Maps a constraint violation that slipped past validation to a client error. The database
 * is the last guard (INV section); its message and SQL never reach the client.
 */
export function appErrorFromDatabase(error: unknown): AppError | null {
  if (!isPgError(error)) return null;
  const fields = fieldsFromDetail(error.detail);
  switch (error.code) {
    case '23505':
      return new AppError(
        'DUPLICATE',
        fields.length
          ? `Another record already has this ${fields.join(' and ')}.`
          : 'This record already exists.',
        { fields: problems(fields, 'is already used by another record') },
        'conflict',
      );
    case '23503':
      return error.detail?.includes('is still referenced')
        ? new AppError(
            'IN_USE',
            'This record is still used by other records and cannot be removed.',
            undefined,
            'conflict',
          )
        : new AppError(
            'INVALID_REFERENCE',
            `A referenced record does not exist here${fields.length ? `: ${fields.join(', ')}` : ''}.`,
            { fields: problems(fields, 'does not name an existing record here') },
            'bad_request',
          );
    case '23514':
    case '23502':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return new AppError(
        'CONSTRAINT_VIOLATED',
        'The values break a rule of this record.',
        { fields: problems(error.column ? [toCamel(error.column)] : [], 'breaks a rule of this record') },
        'bad_request',
      );
    default:
      return null;
  }
}

/** The one place that turns errors into `{ code, message, details }` responses. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    // Body fields are named as they are sent (`code`); path and query fields carry their
    // place (`params.institutionId`), as do problems with the body as a whole (`body`).
    const fields = error.validation.map((v) => {
      const path = v.instancePath.split('/').filter(Boolean);
      const context = error.validationContext === 'body' && path.length > 0 ? [] : [error.validationContext];
      return { field: [...context, ...path].join('.'), message: v.message ?? 'is invalid' };
    });
    return reply.status(400).send({
      code: 'VALIDATION_FAILED',
      message: `Invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      details: { fields },
    });
  }
  const appError = error instanceof AppError ? error : appErrorFromDatabase(error);
  if (appError && !(error instanceof AppError)) {
    // The constraint's name helps operators; it stays in the log, not in the response.
    request.log.info(
      { constraint: (error as PgError).constraint, code: appError.code },
      'database refused a write',
    );
  }
  if (appError && appError.kind !== 'internal') {
    return reply
      .status(STATUS_BY_KIND[appError.kind])
      .send({ code: appError.code, message: appError.message, details: appError.details });
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return reply.status(statusCode).send({
      code: (error as FastifyError).code ?? 'BAD_REQUEST',
      message: error.message,
      details: undefined,
    });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send({
    code: 'INTERNAL_ERROR',
    message: `Something went wrong on our side. Quote request id ${request.id} when reporting it.`,
    details: { requestId: request.id },
  });
}
