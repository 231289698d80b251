import { Stack, Title } from '@mantine/core';
import { Route, Routes, useParams } from 'react-router-dom';
import { ErrorMessage } from '../../components/Messages.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { AuditScreen } from './AuditScreen.tsx';
import { BackToOverview } from './BackToOverview.tsx';
import { CalendarScreen } from './CalendarScreen.tsx';
import { GENERIC_RESOURCES } from './fields.ts';
import { InstitutionScreen } from './InstitutionScreen.tsx';
import { LettersScreen } from './LettersScreen.tsx';
import { LibraryRelationsScreen } from './LibraryRelationsScreen.tsx';
import { ConfigurationOverview } from './Overview.tsx';
import { ResourceTable } from './ResourceTable.tsx';
import { StaffScreen } from './StaffScreen.tsx';
import { TermsOfUseScreen } from './TermsOfUseScreen.tsx';
import { TransitTimesScreen } from './TransitTimesScreen.tsx';

/** /staff/configuration/*: the overview and one screen per section (issue 7). */
export function ConfigurationPage() {
  const { can } = useStaff();
  if (!can('config.read')) {
    return (
      <>
        <Title order={1}>Configuration</Title>
        <ErrorMessage title="Not available">
          Reading the configuration needs the config.read privilege.
        </ErrorMessage>
      </>
    );
  }
  return (
    <Routes>
      <Route index element={<ConfigurationOverview />} />
      <Route path="institution" element={<InstitutionScreen />} />
      <Route path="calendars" element={<CalendarScreen />} />
      <Route path="library-relations" element={<LibraryRelationsScreen />} />
      <Route path="transit-times" element={<TransitTimesScreen />} />
      <Route path="terms-of-use" element={<TermsOfUseScreen />} />
      <Route path="terms-of-use-rules" element={<TermsOfUseScreen />} />
      <Route path="letters" element={<LettersScreen />} />
      <Route path="audit" element={<AuditScreen />} />
      <Route path="staff" element={<StaffScreen />} />
      <Route path=":resource" element={<GenericResourceScreen />} />
    </Routes>
  );
}

/** The screen of one simple audited resource: its table with Add / Edit / Delete. */
function GenericResourceScreen() {
  const { resource } = useParams();
  const spec = GENERIC_RESOURCES.find((r) => r.path === resource);
  usePageTitle(spec ? spec.heading : 'Configuration');
  if (!spec) {
    return (
      <Stack>
        <BackToOverview />
        <Title order={1}>Configuration</Title>
        <ErrorMessage title="No such section">There is no configuration section “{resource}”.</ErrorMessage>
      </Stack>
    );
  }
  return (
    <Stack gap="md">
      <BackToOverview />
      <Title order={1}>{spec.heading}</Title>
      <ResourceTable
        key={spec.path}
        spec={spec}
        headingOrder={2}
        heading={`All ${spec.heading.toLowerCase()}`}
      />
    </Stack>
  );
}
