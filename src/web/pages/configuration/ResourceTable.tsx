import { Button, Group, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import {
  type ConfigRecord,
  createRecord,
  deleteRecord,
  type ResourcePath,
  updateRecord,
} from '../../api/configuration.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { displayValue, type Lists, useConfigLists, useInstitution } from './data.ts';
import { type FieldSpec, type ResourceSpec, recordLabel } from './fields.ts';
import { describeFailure, RecordFormModal } from './RecordForm.tsx';

/** The other lists a resource's fields refer to. */
export function referencedPaths(fields: FieldSpec[]): (ResourcePath | 'institutions')[] {
  const out = new Set<ResourcePath | 'institutions'>();
  for (const f of fields) if (f.kind === 'reference') out.add(f.resource);
  return [...out];
}

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; record: ConfigRecord }
  | { kind: 'delete'; record: ConfigRecord };

interface ResourceTableProps {
  spec: ResourceSpec;
  /** Heading level of the table's heading (the screen's h1 is above). */
  headingOrder?: 2 | 3;
  /** The table's heading; the resource's heading when not given. */
  heading?: string;
  /** Called after each saved change (so a screen can reload what depends on it). */
  onChanged?: () => void;
}

/**
 * One generic screen part for every simple audited resource: a table of its records and, for
 * staff with the privilege to change them, Add / Edit / Delete in a dialog.
 */
export function ResourceTable({ spec, headingOrder = 2, heading, onChanged }: ResourceTableProps) {
  const { institutionId, can } = useStaff();
  const canEdit = can(spec.privilege);
  const { institution } = useInstitution(institutionId);
  const currency = institution?.currency ?? 'EUR';
  const paths = [spec.path, ...referencedPaths(spec.fields).filter((p) => p !== spec.path)];
  const { lists, error, reload } = useConfigLists(institutionId, paths);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const headingId = `${spec.path}-heading`;

  const records = lists?.[spec.path] ?? null;
  const columns = spec.fields.filter((f) => f.inTable);
  const editable = spec.fields;

  function saved(result: unknown, verb: string) {
    const record = result as ConfigRecord;
    setDialog(null);
    setStatus(`${capitalise(verb)} ${spec.noun} “${recordLabel(spec, record)}”. It is listed below.`);
    reload();
    onChanged?.();
  }

  async function confirmDelete(record: ConfigRecord) {
    setDeleting(true);
    setDeleteError(null);
    try {
      await deleteRecord(institutionId, spec.path, record.id);
      setDialog(null);
      setStatus(`Deleted ${spec.noun} “${recordLabel(spec, record)}”.`);
      reload();
      onChanged?.();
    } catch (e) {
      setDeleteError(e);
    } finally {
      setDeleting(false);
    }
  }

  return (
    <Stack gap="sm" component="section" aria-labelledby={headingId}>
      <Group justify="space-between" align="flex-end">
        <Title order={headingOrder} id={headingId}>
          {heading ?? spec.heading}
        </Title>
        {canEdit ? (
          <Button
            onClick={() => {
              setStatus(null);
              setDialog({ kind: 'create' });
            }}
          >
            Add {spec.noun}
          </Button>
        ) : null}
      </Group>
      <Text c="gray.8">{spec.intro}</Text>
      {!canEdit ? (
        <Text c="gray.8" size="sm">
          You can read these records; changing them needs another role.
        </Text>
      ) : null}
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {error ? (
        <ErrorMessage title={`The ${spec.heading.toLowerCase()} could not be loaded`}>{error}</ErrorMessage>
      ) : null}
      {records === null && !error ? <StatusMessage>Loading…</StatusMessage> : null}
      {records !== null ? (
        <ScrollArea type="auto">
          <Table striped withTableBorder highlightOnHover aria-labelledby={headingId}>
            <Table.Thead>
              <Table.Tr>
                {columns.map((f) => (
                  <Table.Th key={f.name} scope="col">
                    {f.label}
                  </Table.Th>
                ))}
                {canEdit ? <Table.Th scope="col">Actions</Table.Th> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {records.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={columns.length + (canEdit ? 1 : 0)}>
                    No {spec.heading.toLowerCase()} yet.
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {records.map((record) => (
                <Table.Tr key={record.id}>
                  {columns.map((f) => (
                    <Table.Td key={f.name}>{cell(f, record, lists, currency)}</Table.Td>
                  ))}
                  {canEdit ? (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="outline"
                          aria-label={`Edit ${recordLabel(spec, record)}`}
                          onClick={() => {
                            setStatus(null);
                            setDialog({ kind: 'edit', record });
                          }}
                        >
                          Edit
                        </Button>
                        <Button
                          size="xs"
                          variant="outline"
                          color="red.9"
                          aria-label={`Delete ${recordLabel(spec, record)}`}
                          onClick={() => {
                            setStatus(null);
                            setDeleteError(null);
                            setDialog({ kind: 'delete', record });
                          }}
                        >
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      ) : null}

      <RecordFormModal
        opened={dialog?.kind === 'create' || dialog?.kind === 'edit'}
        title={
          dialog?.kind === 'edit'
            ? `Edit ${spec.noun} “${recordLabel(spec, dialog.record)}”`
            : `Add ${spec.noun}`
        }
        onClose={() => setDialog(null)}
        fields={editable}
        record={dialog?.kind === 'edit' ? dialog.record : null}
        currency={currency}
        lists={lists}
        save={(body) =>
          dialog?.kind === 'edit'
            ? updateRecord(institutionId, spec.path, dialog.record.id, body)
            : createRecord(institutionId, spec.path, body)
        }
        onSaved={(result) => saved(result, dialog?.kind === 'edit' ? 'saved' : 'added')}
      />
      <ConfirmDialog
        opened={dialog?.kind === 'delete'}
        onCancel={() => setDialog(null)}
        title={dialog?.kind === 'delete' ? `Delete ${spec.noun} “${recordLabel(spec, dialog.record)}”?` : ''}
        confirmLabel="Delete"
        busy={deleting}
        onConfirm={() => dialog?.kind === 'delete' && confirmDelete(dialog.record)}
        alert={
          deleteError ? <ErrorMessage title="Not deleted">{describeFailure(deleteError)}</ErrorMessage> : null
        }
      >
        The {spec.noun} is removed for good. A record still in use by others cannot be deleted; the change is
        written to the audit trail.
      </ConfirmDialog>
    </Stack>
  );
}

function cell(field: FieldSpec, record: ConfigRecord, lists: Lists | null, currency: string): string {
  if (field.name === 'libraryId' && typeof record.libraryName === 'string') return record.libraryName;
  if (field.name === 'loanPeriod' && record.loanPeriod != null) {
    return `${String(record.loanPeriod)} ${String(record.loanPeriodUnit ?? 'days')}`;
  }
  return displayValue(field, record[field.name], lists, currency);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
