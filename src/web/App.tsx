import { Route, Routes } from 'react-router-dom';
import { DiscoveryHomePage } from './pages/DiscoveryHomePage.tsx';
import { LandingPage } from './pages/LandingPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { SearchResultsPage } from './pages/SearchResultsPage.tsx';
import { StaffHomePage } from './pages/StaffHomePage.tsx';
import { StaffSignInPage } from './pages/StaffSignInPage.tsx';

/** The routes of the web UI; the server answers every non-/api path with index.html. */
export function App() {
  return (
    <Routes>
      <Route path="/" element={<LandingPage />} />
      <Route path="/staff/sign-in" element={<StaffSignInPage />} />
      <Route path="/staff" element={<StaffHomePage />} />
      <Route path="/discovery/:code" element={<DiscoveryHomePage />} />
      <Route path="/discovery/:code/search" element={<SearchResultsPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
