import { Route, Routes } from 'react-router-dom';
import { ConfigurationPage } from './pages/configuration/ConfigurationPage.tsx';
import { DiscoveryHomePage } from './pages/DiscoveryHomePage.tsx';
import { HoldShelfPage } from './pages/desk/HoldShelfPage.tsx';
import { PickListPage } from './pages/desk/PickListPage.tsx';
import { ReturnsPage } from './pages/desk/ReturnsPage.tsx';
import { TransitsPage } from './pages/desk/TransitsPage.tsx';
import { LandingPage } from './pages/LandingPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { PatronServicesPage } from './pages/patron-services/PatronServicesPage.tsx';
import { ItemRecordPage } from './pages/records/ItemRecordPage.tsx';
import { ItemRecordsPage } from './pages/records/ItemRecordsPage.tsx';
import { PatronRecordPage } from './pages/records/PatronRecordPage.tsx';
import { PatronRecordsPage } from './pages/records/PatronRecordsPage.tsx';
import { SearchResultsPage } from './pages/SearchResultsPage.tsx';
import { StaffHomePage } from './pages/StaffHomePage.tsx';
import { StaffSignInPage } from './pages/StaffSignInPage.tsx';
import { StaffLayout } from './staff/StaffLayout.tsx';

/** The routes of the web UI; the server answers every non-/api path with index.html. */
export function App() {
  return (
    <Routes>
      <Route path="/" element={<LandingPage />} />
      <Route path="/staff/sign-in" element={<StaffSignInPage />} />
      <Route path="/staff" element={<StaffLayout />}>
        <Route index element={<StaffHomePage />} />
        <Route path="patron-services" element={<PatronServicesPage />} />
        <Route path="patron-services/:patronId" element={<PatronServicesPage />} />
        <Route path="returns" element={<ReturnsPage mode="returns" />} />
        <Route path="scan-in" element={<ReturnsPage mode="scan-in" />} />
        <Route path="pick-list" element={<PickListPage />} />
        <Route path="hold-shelf" element={<HoldShelfPage />} />
        <Route path="transits" element={<TransitsPage />} />
        <Route path="patrons" element={<PatronRecordsPage />} />
        <Route path="patrons/new" element={<PatronRecordPage />} />
        <Route path="patrons/:patronId" element={<PatronRecordPage />} />
        <Route path="items" element={<ItemRecordsPage />} />
        <Route path="items/:itemId" element={<ItemRecordPage />} />
        <Route path="configuration/*" element={<ConfigurationPage />} />
      </Route>
      <Route path="/discovery/:code" element={<DiscoveryHomePage />} />
      <Route path="/discovery/:code/search" element={<SearchResultsPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
