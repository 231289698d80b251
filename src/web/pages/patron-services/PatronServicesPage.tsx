import { Anchor, Box, Stack, Tabs, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { listPatronFees, patronDisplayName } from '../../api/circulation.ts';
import { getPatron, type Loan } from '../../api/shared.ts';
import type { SessionDesk } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { RequireDesk } from '../../staff/RequireDesk.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { FeesTab } from './FeesTab.tsx';
import { LettersTab } from './LettersTab.tsx';
import { LoansTab } from './LoansTab.tsx';
import { PatronHeader } from './PatronHeader.tsx';
import { PatronLookup } from './PatronLookup.tsx';
import { useLoaded } from './parts.tsx';
import { RequestsTab } from './RequestsTab.tsx';
import { type ReturnOutcome, ReturnsTab } from './ReturnsTab.tsx';

const TABS = [
  { value: 'loans', label: 'Loans' },
  { value: 'returns', label: 'Returns' },
  { value: 'requests', label: 'Requests' },
  { value: 'fees', label: 'Fines & fees' },
  { value: 'letters', label: 'Letters' },
] as const;
type TabValue = (typeof TABS)[number]['value'];

/**
 * Patron services (issue 7): identify the patron at the desk, then lend, return, renew,
 * request, take fees and see letters for them. The patron is in the URL, so a reload keeps them.
 */
export function PatronServicesPage() {
  usePageTitle('Patron services');
  return (
    <Stack gap="md">
      <Title order={1}>Patron services</Title>
      <RequireDesk>{(desk) => <PatronServices desk={desk} />}</RequireDesk>
    </Stack>
  );
}

function PatronServices({ desk }: { desk: SessionDesk }) {
  const { patronId } = useParams();
  const { institutionId } = useStaff();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('tab');
  const tab: TabValue = TABS.some((t) => t.value === requested) ? (requested as TabValue) : 'loans';
  const [refresh, setRefresh] = useState(0);
  const bump = useCallback(() => setRefresh((n) => n + 1), []);
  // The scan bar takes the focus when a patron is opened (also after a reload), not on tab changes.
  // It names the patron: navigate() runs in a transition, so a plain flag would be spent on the
  // patron still shown (whose scan bar then unmounts) before the next patron's screen appears.
  const [focusScanFor, setFocusScanFor] = useState(patronId);
  const scanFocused = useCallback(() => setFocusScanFor(undefined), []);
  const [session, setSession] = useState<{ patronId: string; loans: Loan[] }>({ patronId: '', loans: [] });
  const sessionLoans = session.patronId === patronId ? session.loans : [];
  // The returns made here, with their slips: they outlive a tab change (the tabs unmount).
  const [returnOutcomes, setReturnOutcomes] = useState<ReturnOutcome[]>([]);

  const loaded = useLoaded(
    async (signal) => {
      if (!patronId) return null;
      const [patron, fees] = await Promise.all([
        getPatron(institutionId, patronId, signal),
        listPatronFees(institutionId, patronId, signal).catch(() => null),
      ]);
      return { patron, fees };
    },
    [institutionId, patronId, refresh],
    patronId,
  );
  // A failed refresh keeps the patron on screen (with the error above it): the work in the tabs,
  // a refusal or an override form, must not vanish because one reload failed.
  const shown = loaded.state === 'loading' ? null : loaded.data;
  const current = shown && shown.patron.id === patronId ? shown : null;
  usePageTitle(current ? `Patron services: ${patronDisplayName(current.patron)}` : 'Patron services');

  function setTab(value: string | null) {
    if (!value) return;
    const next = new URLSearchParams(searchParams);
    next.set('tab', value);
    setSearchParams(next, { replace: true });
  }

  function open(id: string) {
    setFocusScanFor(id);
    navigate(`/staff/patron-services/${id}`);
  }

  return (
    <Stack gap="md">
      <PatronLookup institutionId={institutionId} autoFocus={!patronId} onOpen={open} />
      {patronId && !current && loaded.state !== 'error' ? (
        <StatusMessage>Loading the patron…</StatusMessage>
      ) : null}
      {patronId && loaded.state === 'error' && current ? (
        <ApiErrorAlert
          title="The patron's record could not be refreshed; what is shown may be out of date"
          error={loaded.error}
        />
      ) : null}
      {patronId && loaded.state === 'error' && !current ? (
        <Box>
          <ApiErrorAlert title="This patron could not be opened" error={loaded.error} />
          <Anchor component={Link} to="/staff/patron-services" c="blue.9">
            Start again with another patron
          </Anchor>
        </Box>
      ) : null}
      {current ? (
        <>
          <PatronHeader patron={current.patron} fees={current.fees} />
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List aria-label="Patron services">
              {TABS.map((t) => (
                <Tabs.Tab key={t.value} value={t.value}>
                  {t.label}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            <Tabs.Panel value="loans" pt="md">
              <LoansTab
                patron={current.patron}
                desk={desk}
                refresh={refresh}
                onChanged={bump}
                sessionLoans={sessionLoans}
                onLent={(loan) =>
                  setSession((prev) => ({
                    patronId: current.patron.id,
                    loans: [...(prev.patronId === current.patron.id ? prev.loans : []), loan],
                  }))
                }
                focusScan={focusScanFor === current.patron.id}
                onScanFocused={scanFocused}
              />
            </Tabs.Panel>
            <Tabs.Panel value="returns" pt="md">
              <ReturnsTab
                desk={desk}
                onChanged={bump}
                onShowFees={() => setTab('fees')}
                outcomes={returnOutcomes}
                setOutcomes={setReturnOutcomes}
              />
            </Tabs.Panel>
            <Tabs.Panel value="requests" pt="md">
              <RequestsTab patron={current.patron} desk={desk} refresh={refresh} onChanged={bump} />
            </Tabs.Panel>
            <Tabs.Panel value="fees" pt="md">
              <FeesTab patron={current.patron} refresh={refresh} onChanged={bump} />
            </Tabs.Panel>
            <Tabs.Panel value="letters" pt="md">
              <LettersTab patron={current.patron} refresh={refresh} />
            </Tabs.Panel>
          </Tabs>
        </>
      ) : null}
      {!patronId ? <StatusMessage>Scan the patron's card or type their name to start.</StatusMessage> : null}
    </Stack>
  );
}
