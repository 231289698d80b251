import { Button, Checkbox, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type Calendar, getCalendar, putCalendar } from '../../api/configuration.ts';
import { errorMessage, isAbort } from '../../api.ts';
import { fieldErrors } from '../../components/ApiErrorAlert.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';
import { useConfigLists } from './data.ts';
import { describeFailure } from './RecordForm.tsx';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

interface DayHours {
  open: boolean;
  opens: string;
  closes: string;
}

interface ClosedDayRow {
  key: number;
  day: string;
  reason: string;
}

let rowKey = 0;

function toForm(calendar: Calendar): { hours: DayHours[]; closed: ClosedDayRow[] } {
  const hours = WEEKDAYS.map((_, i) => {
    const h = calendar.openingHours.find((o) => o.weekday === i + 1);
    return h
      ? { open: true, opens: h.opens.slice(0, 5), closes: h.closes.slice(0, 5) }
      : { open: false, opens: '09:00', closes: '17:00' };
  });
  const closed = calendar.closedDays.map((d) => ({ key: rowKey++, day: d.day, reason: d.reason }));
  return { hours, closed };
}

/** NET-6: a library's opening hours per weekday and its closed days (due dates fall on open days). */
export function CalendarScreen() {
  usePageTitle('Opening hours and closed days');
  const { institutionId, desk, can } = useStaff();
  const canEdit = can('config.institution.manage');
  const { lists, error: listError } = useConfigLists(institutionId, ['libraries']);
  const libraries = lists?.libraries ?? [];
  const [libraryId, setLibraryId] = useState<string>('');
  const [hours, setHours] = useState<DayHours[] | null>(null);
  const [closed, setClosed] = useState<ClosedDayRow[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const newRowRef = useRef<HTMLInputElement | null>(null);
  const [focusNewRow, setFocusNewRow] = useState(false);

  useEffect(() => {
    if (libraryId === '' && libraries.length > 0) {
      const own = desk && libraries.find((l) => l.id === desk.libraryId);
      // The default never overrides a library chosen in the list since this render: the choice
      // can land between the list's paint and this effect.
      setLibraryId((chosen) => chosen || (own ? own.id : (libraries[0]?.id ?? '')));
    }
  }, [libraries, libraryId, desk]);

  useEffect(() => {
    if (!libraryId) return;
    const controller = new AbortController();
    setHours(null);
    setErrors({});
    setFailure(null);
    getCalendar(institutionId, libraryId, controller.signal)
      .then((c) => {
        const form = toForm(c);
        setHours(form.hours);
        setClosed(form.closed);
        setLoadError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setLoadError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId, libraryId]);

  useEffect(() => {
    if (focusNewRow) {
      newRowRef.current?.focus();
      setFocusNewRow(false);
    }
  }, [focusNewRow]);

  const libraryName = String(libraries.find((l) => l.id === libraryId)?.name ?? '');

  async function onSave(event: FormEvent) {
    event.preventDefault();
    if (!hours) return;
    const openingHours = hours.flatMap((h, i) =>
      h.open ? [{ weekday: i + 1, opens: h.opens, closes: h.closes }] : [],
    );
    const closedDays = closed.map((c) => ({ day: c.day, reason: c.reason }));
    setSaving(true);
    setStatus(null);
    setFailure(null);
    try {
      const saved = await putCalendar(institutionId, libraryId, { openingHours, closedDays });
      const form = toForm(saved);
      setHours(form.hours);
      setClosed(form.closed);
      setErrors({});
      setStatus(`Saved the calendar of ${libraryName}. Due dates of new loans follow it from now on.`);
    } catch (e) {
      // Map the server's field names (openingHours.<index>.opens) back to the rows shown.
      const raw = fieldErrors(e);
      const mapped: Record<string, string> = {};
      for (const [key, message] of Object.entries(raw)) {
        const m = /^openingHours\.(\d+)\.(\w+)$/.exec(key);
        const sent = m ? openingHours[Number(m[1])] : undefined;
        if (m && sent) mapped[`hours.${sent.weekday}.${m[2]}`] = message;
        else mapped[key] = message;
      }
      setErrors(mapped);
      setFailure(e);
    } finally {
      setSaving(false);
    }
  }

  function setDay(index: number, change: Partial<DayHours>) {
    setHours((old) => old?.map((h, i) => (i === index ? { ...h, ...change } : h)) ?? old);
  }

  return (
    <Stack gap="md">
      <BackToOverview />
      <Title order={1}>Opening hours and closed days</Title>
      <Text>
        Loans counted in days fall due at closing time on an open day; a due date on a closed day moves to the
        next open day (CIRC-3).
      </Text>
      {listError ? <ErrorMessage title="The libraries could not be loaded">{listError}</ErrorMessage> : null}
      <NativeSelect
        label="Library"
        value={libraryId}
        onChange={(e) => {
          setStatus(null);
          setLibraryId(e.currentTarget.value);
        }}
        data={libraries.map((l) => ({ value: l.id, label: String(l.name) }))}
        maw={420}
      />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {loadError ? <ErrorMessage title="The calendar could not be loaded">{loadError}</ErrorMessage> : null}
      {libraryId && !hours && !loadError ? <StatusMessage>Loading the calendar…</StatusMessage> : null}
      {hours ? (
        <form onSubmit={onSave} noValidate>
          <Stack gap="md">
            {failure ? (
              <ErrorMessage title="Nothing was saved">
                {Object.keys(errors).length > 0
                  ? `Correct the fields marked below, then save again. ${Object.entries(errors)
                      .filter(([k]) => !k.startsWith('hours.') && !k.startsWith('closedDays.'))
                      .map(([k, m]) => `${k}: ${m}`)
                      .join('; ')}`
                  : describeFailure(failure)}
              </ErrorMessage>
            ) : null}
            <section aria-labelledby="hours-heading">
              <Title order={2} id="hours-heading" mb="xs">
                Opening hours of {libraryName}
              </Title>
              <Table withTableBorder maw={640} aria-labelledby="hours-heading">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Weekday</Table.Th>
                    <Table.Th scope="col">Open</Table.Th>
                    <Table.Th scope="col">Opens</Table.Th>
                    <Table.Th scope="col">Closes</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {WEEKDAYS.map((name, i) => {
                    const h = hours[i] as DayHours;
                    return (
                      <Table.Tr key={name}>
                        <Table.Th scope="row">{name}</Table.Th>
                        <Table.Td>
                          <Checkbox
                            aria-label={`Open on ${name}`}
                            checked={h.open}
                            disabled={!canEdit}
                            onChange={(e) => setDay(i, { open: e.currentTarget.checked })}
                          />
                        </Table.Td>
                        <Table.Td>
                          {h.open ? (
                            <TextInput
                              type="time"
                              aria-label={`${name} opens`}
                              value={h.opens}
                              disabled={!canEdit}
                              error={errors[`hours.${i + 1}.opens`]}
                              onChange={(e) => setDay(i, { opens: e.currentTarget.value })}
                            />
                          ) : (
                            <Text size="sm">Closed</Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          {h.open ? (
                            <TextInput
                              type="time"
                              aria-label={`${name} closes`}
                              value={h.closes}
                              disabled={!canEdit}
                              error={errors[`hours.${i + 1}.closes`]}
                              onChange={(e) => setDay(i, { closes: e.currentTarget.value })}
                            />
                          ) : null}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </section>
            <section aria-labelledby="closed-heading">
              <Title order={2} id="closed-heading" mb="xs">
                Closed days of {libraryName}
              </Title>
              {closed.length === 0 ? <Text>No closed days.</Text> : null}
              <Stack gap="xs" maw={640}>
                {closed.map((c, index) => (
                  <Group key={c.key} align="flex-start" wrap="nowrap">
                    <TextInput
                      type="date"
                      label={`Closed day ${index + 1}`}
                      value={c.day}
                      disabled={!canEdit}
                      error={errors[`closedDays.${index}.day`]}
                      ref={index === closed.length - 1 ? newRowRef : undefined}
                      onChange={(e) => {
                        const day = e.currentTarget.value;
                        setClosed((old) => old.map((o) => (o.key === c.key ? { ...o, day } : o)));
                      }}
                    />
                    <TextInput
                      label={`Reason ${index + 1}`}
                      value={c.reason}
                      disabled={!canEdit}
                      error={errors[`closedDays.${index}.reason`]}
                      style={{ flex: 1 }}
                      onChange={(e) => {
                        const reason = e.currentTarget.value;
                        setClosed((old) => old.map((o) => (o.key === c.key ? { ...o, reason } : o)));
                      }}
                    />
                    {canEdit ? (
                      <Button
                        variant="outline"
                        color="red.9"
                        mt={26}
                        aria-label={`Remove closed day ${index + 1}`}
                        onClick={() => setClosed((old) => old.filter((o) => o.key !== c.key))}
                      >
                        Remove
                      </Button>
                    ) : null}
                  </Group>
                ))}
              </Stack>
              {canEdit ? (
                <Button
                  variant="outline"
                  mt="sm"
                  onClick={() => {
                    setClosed((old) => [...old, { key: rowKey++, day: '', reason: '' }]);
                    setFocusNewRow(true);
                  }}
                >
                  Add closed day
                </Button>
              ) : null}
            </section>
            {canEdit ? (
              <Group>
                <Button type="submit" loading={saving}>
                  Save calendar
                </Button>
              </Group>
            ) : (
              <Text c="gray.8" size="sm">
                You can read this calendar; changing it needs the privilege to manage libraries.
              </Text>
            )}
          </Stack>
        </form>
      ) : null}
    </Stack>
  );
}
