import {
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import {
  deleteLetterTemplate,
  getLetterSettings,
  LETTER_TYPES,
  type LetterSettings,
  putLetterSender,
  putLetterTemplate,
} from '../../api/configuration.ts';
import { errorMessage, isAbort } from '../../api.ts';
import { fieldErrors } from '../../components/ApiErrorAlert.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { formatDateTime } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';
import { describeFailure } from './RecordForm.tsx';

const PLACEHOLDER_WORDS: Record<string, string> = {
  subject: 'the built-in subject of this letter',
  body: 'the built-in text of this letter (loans, due dates, items…)',
  patronName: "the patron's name",
  institutionName: "this institution's name",
  institutionCode: "this institution's code",
  letterType: 'the letter type',
};

/** CIRC-12: the templates of the letters patrons get, and the sender address. */
export function LettersScreen() {
  usePageTitle('Letter templates and sender');
  const { institutionId, can } = useStaff();
  const canEditTemplates = can('config.fulfillment.manage');
  const canEditSender = can('config.institution.manage');
  const [settings, setSettings] = useState<LetterSettings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getLetterSettings(institutionId, controller.signal)
      .then(setSettings)
      .catch((e: unknown) => {
        if (!isAbort(e)) setLoadError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId]);

  const labelOf = (type: string) => LETTER_TYPES.find((t) => t.type === type)?.label ?? type;
  const template = (type: string) => settings?.templates.find((t) => t.letterType === type) ?? null;

  return (
    <Stack gap="md">
      <BackToOverview />
      <Title order={1}>Letter templates and sender</Title>
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {loadError ? (
        <ErrorMessage title="The letter settings could not be loaded">{loadError}</ErrorMessage>
      ) : null}
      {!settings && !loadError ? <StatusMessage>Loading…</StatusMessage> : null}
      {settings ? (
        <>
          <SenderForm
            settings={settings}
            canEdit={canEditSender}
            save={async (lettersFrom) => {
              const next = await putLetterSender(institutionId, lettersFrom);
              setSettings(next);
              setStatus(`Letters are now sent from ${next.sender}.`);
            }}
          />
          <section aria-labelledby="placeholders-heading">
            <Title order={2} id="placeholders-heading" mb="xs">
              Placeholders
            </Title>
            <Text mb="xs">A template may use these; each is replaced when a letter is written.</Text>
            <Stack component="ul" gap={4} className="plain-list" m={0} p={0}>
              {settings.placeholders.map((p) => (
                <li key={p}>
                  <Code>{`{{${p}}}`}</Code>
                  {PLACEHOLDER_WORDS[p] ? `: ${PLACEHOLDER_WORDS[p]}` : ''}
                </li>
              ))}
            </Stack>
          </section>
          <section aria-labelledby="templates-heading">
            <Title order={2} id="templates-heading" mb="xs">
              Letter templates
            </Title>
            <Table withTableBorder striped aria-labelledby="templates-heading">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Letter</Table.Th>
                  <Table.Th scope="col">Text used</Table.Th>
                  <Table.Th scope="col">Subject</Table.Th>
                  {canEditTemplates ? <Table.Th scope="col">Actions</Table.Th> : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {LETTER_TYPES.map(({ type, label }) => {
                  const t = template(type);
                  return (
                    <Table.Tr key={type}>
                      <Table.Th scope="row">{label}</Table.Th>
                      <Table.Td>
                        {t ? (
                          <Badge color="blue.9" variant="light" c="blue.9">
                            Own template, {formatDateTime(t.updatedAt)}
                          </Badge>
                        ) : (
                          'Built-in text'
                        )}
                      </Table.Td>
                      <Table.Td>{t ? t.subject : '—'}</Table.Td>
                      {canEditTemplates ? (
                        <Table.Td>
                          <Button
                            size="xs"
                            variant="outline"
                            aria-label={`Edit template ${label}`}
                            onClick={() => {
                              setStatus(null);
                              setEditing(type);
                            }}
                          >
                            Edit
                          </Button>
                        </Table.Td>
                      ) : null}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </section>
          <Modal
            closeButtonProps={{ 'aria-label': 'Close' }}
            opened={editing !== null}
            onClose={() => setEditing(null)}
            title={editing ? `Template: ${labelOf(editing)}` : ''}
            size="xl"
          >
            {editing ? (
              <TemplateForm
                placeholders={settings.placeholders}
                initial={template(editing)}
                onCancel={() => setEditing(null)}
                save={async (body) => {
                  setSettings(await putLetterTemplate(institutionId, editing, body));
                  setStatus(`Saved the template of the ${labelOf(editing).toLowerCase()}.`);
                  setEditing(null);
                }}
                reset={async () => {
                  setSettings(await deleteLetterTemplate(institutionId, editing));
                  setStatus(`The ${labelOf(editing).toLowerCase()} uses the built-in text again.`);
                  setEditing(null);
                }}
              />
            ) : null}
          </Modal>
        </>
      ) : null}
    </Stack>
  );
}

function SenderForm({
  settings,
  canEdit,
  save,
}: {
  settings: LetterSettings;
  canEdit: boolean;
  save: (lettersFrom: string | null) => Promise<void>;
}) {
  const [value, setValue] = useState(settings.lettersFrom ?? '');
  const [error, setError] = useState<unknown>(null);
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await save(value.trim() === '' ? null : value.trim());
    } catch (e) {
      setError(e);
    }
  }
  const fieldError = error ? (fieldErrors(error).lettersFrom ?? null) : null;
  return (
    <section aria-labelledby="sender-heading">
      <Title order={2} id="sender-heading" mb="xs">
        Sender
      </Title>
      <Text mb="xs">
        Letters are sent from <strong>{settings.sender}</strong>.
      </Text>
      {canEdit ? (
        <form onSubmit={onSubmit} noValidate>
          <Group align="flex-end">
            <TextInput
              label="Sender address"
              description="Empty: the default address"
              type="email"
              value={value}
              error={fieldError ?? undefined}
              onChange={(e) => setValue(e.currentTarget.value)}
              w={360}
            />
            <Button type="submit">Save sender</Button>
          </Group>
          {error && !fieldError ? (
            <ErrorMessage title="Not saved">{describeFailure(error)}</ErrorMessage>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

function TemplateForm({
  placeholders,
  initial,
  save,
  reset,
  onCancel,
}: {
  placeholders: string[];
  initial: { subject: string; body: string } | null;
  save: (body: { subject: string; body: string }) => Promise<void>;
  reset: () => Promise<void>;
  onCancel: () => void;
}) {
  const [subject, setSubject] = useState(initial?.subject ?? '{{subject}}');
  const [body, setBody] = useState(
    initial?.body ?? 'Dear {{patronName}},\n\n{{body}}\n\n{{institutionName}}',
  );
  const [error, setError] = useState<unknown>(null);
  const errors = fieldErrors(error);
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await save({ subject, body });
    } catch (e) {
      setError(e);
    }
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="sm">
        {error ? (
          <ErrorMessage title="Nothing was saved">
            {Object.keys(errors).length > 0 ? 'Correct the fields marked below.' : describeFailure(error)}
          </ErrorMessage>
        ) : null}
        <Text size="sm">
          Placeholders: {placeholders.map((p) => `{{${p}}}`).join(', ')}. <Code>{'{{body}}'}</Code> holds the
          built-in text with the loans and dates.
        </Text>
        <TextInput
          label="Subject"
          withAsterisk
          value={subject}
          error={errors.subject}
          onChange={(e) => setSubject(e.currentTarget.value)}
        />
        <Textarea
          label="Body"
          withAsterisk
          autosize
          minRows={8}
          value={body}
          error={errors.body}
          onChange={(e) => setBody(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'monospace' } }}
        />
        <Group justify="space-between">
          {initial ? (
            <Button variant="outline" color="red.9" onClick={() => reset().catch(setError)}>
              Use the built-in text
            </Button>
          ) : (
            <span />
          )}
          <Group>
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
            <Button type="submit">Save template</Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
