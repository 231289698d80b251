import { Box, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { type ConfigRecord, createRecord, deleteRecord, updateRecord } from '../../api/configuration.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { formatDate, formatMoney } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';
import { DefinitionItem } from './DefinitionItem.tsx';
import { type Lists, optionLabel, useConfigLists, useInstitution } from './data.ts';
import { PICKUP_POLICIES, TERMS_OF_USE, TERMS_OF_USE_RULES } from './fields.ts';
import { describeFailure, RecordFormModal } from './RecordForm.tsx';
import { ResourceTable } from './ResourceTable.tsx';

type Dialog =
  | { kind: 'terms'; terms: ConfigRecord }
  | { kind: 'rule'; rule: ConfigRecord | null }
  | { kind: 'delete'; rule: ConfigRecord };

/**
 * CIRC-2 / CIRC-3: the rules that decide a loan's terms (loan period, due date, renewals,
 * fines), in words, in the order they are tried; each rule's terms can be changed in place.
 */
export function TermsOfUseScreen() {
  usePageTitle('Terms of use and loan rules');
  const { institutionId, can } = useStaff();
  const canEdit = can('config.fulfillment.manage');
  const { institution } = useInstitution(institutionId);
  const currency = institution?.currency ?? 'EUR';
  const { lists, error, reload } = useConfigLists(institutionId, [
    'terms-of-use-rules',
    'terms-of-use',
    'user-groups',
    'item-policies',
    'material-types',
    'locations',
  ]);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [termsTableKey, setTermsTableKey] = useState(0);

  const rules = [...(lists?.['terms-of-use-rules'] ?? [])].sort(
    (a, b) => Number(a.priority) - Number(b.priority),
  );
  const termsById = new Map((lists?.['terms-of-use'] ?? []).map((t) => [t.id, t]));

  function changed(message: string) {
    setDialog(null);
    setStatus(message);
    reload();
    setTermsTableKey((k) => k + 1);
  }

  async function removeRule(rule: ConfigRecord) {
    setDeleteError(null);
    try {
      await deleteRecord(institutionId, 'terms-of-use-rules', rule.id);
      changed(`Deleted the rule with priority ${String(rule.priority)}.`);
    } catch (e) {
      setDeleteError(e);
    }
  }

  return (
    <Stack gap="lg">
      <BackToOverview />
      <Title order={1}>Terms of use and loan rules</Title>
      <Text>
        When an item is lent, the rules below are tried from the lowest priority number up. The first rule
        whose criteria all match the patron and the item decides the terms of use: the loan period (and so the
        due date, on the lending library's calendar), renewals, fines and fees. An empty criterion matches
        anything; the fallback rule applies when no other rule matches.
      </Text>
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {error ? <ErrorMessage title="The loan rules could not be loaded">{error}</ErrorMessage> : null}

      <Stack gap="sm" component="section" aria-labelledby="rules-heading">
        <Group justify="space-between" align="flex-end">
          <Title order={2} id="rules-heading">
            Loan rules, in the order they are tried
          </Title>
          {canEdit ? (
            <Button
              onClick={() => {
                setStatus(null);
                setDialog({ kind: 'rule', rule: null });
              }}
            >
              Add loan rule
            </Button>
          ) : null}
        </Group>
        {lists === null && !error ? <StatusMessage>Loading…</StatusMessage> : null}
        {rules.map((rule) => (
          <RuleCard
            key={rule.id}
            rule={rule}
            terms={termsById.get(String(rule.termsOfUseId)) ?? null}
            lists={lists}
            currency={currency}
            canEdit={canEdit}
            onEditTerms={(terms) => {
              setStatus(null);
              setDialog({ kind: 'terms', terms });
            }}
            onEditRule={() => {
              setStatus(null);
              setDialog({ kind: 'rule', rule });
            }}
            onDeleteRule={() => {
              setStatus(null);
              setDeleteError(null);
              setDialog({ kind: 'delete', rule });
            }}
          />
        ))}
      </Stack>

      <Box mt="md">
        <ResourceTable key={termsTableKey} spec={TERMS_OF_USE} onChanged={reload} />
      </Box>

      <RecordFormModal
        opened={dialog?.kind === 'terms'}
        title={dialog?.kind === 'terms' ? `Edit terms of use “${String(dialog.terms.name)}”` : ''}
        onClose={() => setDialog(null)}
        fields={TERMS_OF_USE.fields}
        record={dialog?.kind === 'terms' ? dialog.terms : null}
        currency={currency}
        lists={lists}
        save={(body) =>
          dialog?.kind === 'terms'
            ? updateRecord(institutionId, 'terms-of-use', dialog.terms.id, body)
            : Promise.reject(new Error('No terms of use chosen.'))
        }
        onSaved={(result) =>
          changed(
            `Saved terms of use “${String((result as ConfigRecord).name)}”. Loans made from now on get the new terms; existing loans keep their due dates.`,
          )
        }
      />
      <RecordFormModal
        opened={dialog?.kind === 'rule'}
        title={
          dialog?.kind === 'rule' && dialog.rule
            ? `Edit ${dialog.rule.isFallback ? 'the fallback rule' : `the rule with priority ${String(dialog.rule.priority)}`}`
            : 'Add loan rule'
        }
        onClose={() => setDialog(null)}
        fields={
          dialog?.kind === 'rule' && dialog.rule?.isFallback
            ? TERMS_OF_USE_RULES.fields.filter((f) => f.name === 'priority' || f.name === 'termsOfUseId')
            : TERMS_OF_USE_RULES.fields
        }
        record={dialog?.kind === 'rule' ? dialog.rule : null}
        currency={currency}
        lists={lists}
        save={(body) =>
          dialog?.kind === 'rule' && dialog.rule
            ? updateRecord(institutionId, 'terms-of-use-rules', dialog.rule.id, body)
            : createRecord(institutionId, 'terms-of-use-rules', body)
        }
        onSaved={(result) =>
          changed(
            `Saved the loan rule with priority ${String((result as ConfigRecord).priority)}. It is listed in order below.`,
          )
        }
      />
      <ConfirmDialog
        opened={dialog?.kind === 'delete'}
        onCancel={() => setDialog(null)}
        title={
          dialog?.kind === 'delete' ? `Delete the rule with priority ${String(dialog.rule.priority)}?` : ''
        }
        confirmLabel="Delete rule"
        onConfirm={() => dialog?.kind === 'delete' && removeRule(dialog.rule)}
        alert={
          deleteError ? <ErrorMessage title="Not deleted">{describeFailure(deleteError)}</ErrorMessage> : null
        }
      >
        Loans it would have matched then get the terms of the next matching rule.
      </ConfirmDialog>
    </Stack>
  );
}

interface RuleCardProps {
  rule: ConfigRecord;
  terms: ConfigRecord | null;
  lists: Lists | null;
  currency: string;
  canEdit: boolean;
  onEditTerms: (terms: ConfigRecord) => void;
  onEditRule: () => void;
  onDeleteRule: () => void;
}

function RuleCard({
  rule,
  terms,
  lists,
  currency,
  canEdit,
  onEditTerms,
  onEditRule,
  onDeleteRule,
}: RuleCardProps) {
  const headingId = `rule-${rule.id}`;
  const name = (path: 'user-groups' | 'item-policies' | 'material-types' | 'locations', id: unknown) => {
    const record = lists?.[path]?.find((r) => r.id === id);
    return record ? optionLabel(path, record) : String(id);
  };
  const who = rule.userGroupId
    ? `Patrons in the user group ${name('user-groups', rule.userGroupId)}`
    : 'Any patron';
  const what: string[] = [];
  if (rule.itemPolicyId) what.push(`item policy ${name('item-policies', rule.itemPolicyId)}`);
  if (rule.materialTypeId) what.push(`material type ${name('material-types', rule.materialTypeId)}`);
  if (rule.locationId) what.push(`shelved at ${name('locations', rule.locationId)}`);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={headingId}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <Title order={3} id={headingId} size="h4">
            {rule.isFallback
              ? `Fallback rule (priority ${String(rule.priority)})`
              : `Rule with priority ${String(rule.priority)}`}
            {terms ? `: ${String(terms.name)}` : ''}
          </Title>
          {canEdit ? (
            <Group gap="xs">
              {terms ? (
                <Button size="xs" onClick={() => onEditTerms(terms)} aria-describedby={headingId}>
                  Change terms of use
                </Button>
              ) : null}
              <Button size="xs" variant="outline" onClick={onEditRule} aria-describedby={headingId}>
                Edit rule
              </Button>
              {rule.isFallback ? null : (
                <Button
                  size="xs"
                  variant="outline"
                  color="red.9"
                  onClick={onDeleteRule}
                  aria-describedby={headingId}
                >
                  Delete rule
                </Button>
              )}
            </Group>
          ) : null}
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" component="dl" m={0}>
          <DefinitionItem label="Who">{who}</DefinitionItem>
          <DefinitionItem label="What">
            {what.length > 0 ? `Items with ${what.join(', ')}` : 'Any item'}
          </DefinitionItem>
          {terms ? (
            <TermsInWords terms={terms} currency={currency} />
          ) : (
            <DefinitionItem label="Terms of use">Not found</DefinitionItem>
          )}
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}

/** A terms-of-use record in words: what a loan under it gets. */
function TermsInWords({ terms, currency }: { terms: ConfigRecord; currency: string }) {
  const unit = terms.loanPeriodUnit === 'hours' ? 'hours' : 'days';
  const period = (n: unknown) => `${String(n)} ${Number(n) === 1 ? unit.slice(0, -1) : unit}`;
  const money = (minor: unknown) => formatMoney(Number(minor ?? 0), currency);
  const fixed = typeof terms.fixedDueDate === 'string' ? formatDate(terms.fixedDueDate) : null;

  let loan: string;
  if (terms.loanable === false) loan = 'Not for loan';
  else if (terms.loanPeriod != null)
    loan = `${period(terms.loanPeriod)}${fixed ? `, at the latest ${fixed}` : ''}`;
  else if (fixed) loan = `Due on ${fixed}`;
  else loan = 'No loan period set';

  const renewalsAllowed = Number(terms.renewalsAllowed ?? 0);
  const renewals =
    terms.loanable === false
      ? '—'
      : renewalsAllowed === 0
        ? 'No renewals'
        : `${renewalsAllowed} ${renewalsAllowed === 1 ? 'renewal' : 'renewals'}${
            terms.renewalPeriod != null ? ` of ${period(terms.renewalPeriod)} each` : ''
          }`;

  const finePerDay = Number(terms.overdueFinePerDayMinor ?? 0);
  const grace = Number(terms.overdueGraceDays ?? 0);
  const fine =
    finePerDay === 0
      ? 'No overdue fine'
      : `${money(finePerDay)} per day${grace > 0 ? ` after ${grace} grace ${grace === 1 ? 'day' : 'days'}` : ''}${
          terms.overdueFineMaxMinor != null ? `, at most ${money(terms.overdueFineMaxMinor)}` : ''
        }`;

  const lost =
    terms.daysOverdueUntilLost == null
      ? 'Never counted as lost automatically'
      : `Counts as lost ${String(terms.daysOverdueUntilLost)} days overdue: replacement ${money(
          terms.lostReplacementFeeMinor,
        )}, processing ${money(terms.lostProcessingFeeMinor)}`;

  const pickup = PICKUP_POLICIES.find((p) => p.value === terms.pickupLocationPolicy)?.label.toLowerCase();
  const requests =
    terms.requestsAllowed === false
      ? 'Not allowed'
      : `Allowed; ${String(terms.holdShelfDays ?? '?')} days on the hold shelf; pickup at ${pickup ?? 'the lending library'}`;

  return (
    <>
      <DefinitionItem label="Terms of use">
        {String(terms.name)} ({String(terms.code)})
      </DefinitionItem>
      <DefinitionItem label="Loan period">{loan}</DefinitionItem>
      <DefinitionItem label="Renewals">{renewals}</DefinitionItem>
      <DefinitionItem label="Overdue fine">{fine}</DefinitionItem>
      <DefinitionItem label="Lost items">{lost}</DefinitionItem>
      <DefinitionItem label="Requests">{requests}</DefinitionItem>
    </>
  );
}
