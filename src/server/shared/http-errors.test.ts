import { describe, expect, it } from 'vitest';
import { appErrorFromDatabase } from './http-errors.ts';

const pgError = (code: string, detail?: string) => ({
  code,
  detail,
  severity: 'ERROR',
  constraint: 'secret_constraint_name',
});

describe('appErrorFromDatabase', () => {
  it('turns a unique violation into 409 DUPLICATE naming the fields, without the tenant key or the constraint', () => {
    const error = appErrorFromDatabase(
      pgError('23505', 'Key (institution_id, code)=(abc, MAIN) already exists.'),
    );
    expect(error).toMatchObject({
      kind: 'conflict',
      code: 'DUPLICATE',
      details: { fields: [{ field: 'code', message: expect.any(String) }] },
    });
    expect(JSON.stringify(error?.details)).not.toContain('secret_constraint_name');
  });

  it('tells a missing reference (400) from a record still in use (409)', () => {
    expect(
      appErrorFromDatabase(
        pgError('23503', 'Key (institution_id, library_id)=(a, b) is not present in table "libraries".'),
      ),
    ).toMatchObject({
      kind: 'bad_request',
      code: 'INVALID_REFERENCE',
      details: { fields: [{ field: 'libraryId', message: expect.any(String) }] },
    });
    expect(
      appErrorFromDatabase(
        pgError('23503', 'Key (id)=(a) is still referenced from table "circulation_desks".'),
      ),
    ).toMatchObject({
      kind: 'conflict',
      code: 'IN_USE',
    });
  });

  it('leaves other errors alone', () => {
    expect(appErrorFromDatabase(new Error('boom'))).toBeNull();
    expect(appErrorFromDatabase(pgError('40001'))).toBeNull();
  });
});
