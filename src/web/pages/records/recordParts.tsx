import { Badge, Group } from '@mantine/core';
import { ApiError } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { ErrorMessage } from '../../components/Messages.tsx';

/** A patron's name as staff read it: "Last, First Middle", with the preferred name after. */
export function patronDisplayName(p: {
  firstName: string;
  middleName: string;
  lastName: string;
  preferredName: string | null;
}): string {
  const given = [p.firstName, p.middleName].filter((s) => s.trim() !== '').join(' ');
  const name = given ? `${p.lastName}, ${given}` : p.lastName;
  return p.preferredName ? `${name} (${p.preferredName})` : name;
}

/** The record's state as badges: active or inactive, expired, blocked (colours pass AA). */
export function PatronStatusBadges({
  status,
  expired,
  blocked,
}: {
  status: 'active' | 'inactive';
  expired: boolean;
  blocked: boolean;
}) {
  return (
    <Group gap={4} wrap="wrap">
      {status === 'active' ? (
        <Badge color="green" variant="light" c="dark.9">
          Active
        </Badge>
      ) : (
        <Badge color="gray" variant="light" c="dark.9">
          Inactive
        </Badge>
      )}
      {expired ? (
        <Badge color="orange" variant="light" c="dark.9">
          Expired
        </Badge>
      ) : null}
      {blocked ? (
        <Badge color="red" variant="light" c="dark.9">
          Blocked
        </Badge>
      ) : null}
    </Group>
  );
}

/**
 * Why a record could not be loaded. PAT-8: another member's patron answers 403 (or, looked up
 * in this institution, 404): say plainly that it cannot be shown and show nothing of it.
 */
export function RecordLoadError({ what, error }: { what: 'patron' | 'item'; error: unknown }) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <ErrorMessage title={`You are not allowed to see this ${what} record`}>
        {what === 'patron'
          ? 'Staff see only the patron records of their own institution (patron privacy). Ask staff at the patron’s home institution.'
          : 'You do not hold the privilege to read item records here.'}
      </ErrorMessage>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <ErrorMessage title={`This ${what} record cannot be shown`}>
        {what === 'patron'
          ? 'There is no such patron in your institution. Staff are not allowed to open the patron records of other institutions (patron privacy).'
          : 'There is no such item in your institution.'}
      </ErrorMessage>
    );
  }
  return <ApiErrorAlert title={`The ${what} record could not be loaded`} error={error} />;
}
