import { Anchor, Box, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { ApiError, errorMessage, signOut } from '../api.ts';
import { ErrorMessage, StatusMessage } from '../components/Messages.tsx';
import { PageLayout } from '../components/PageLayout.tsx';
import { StaffSessionProvider, useStaff } from './StaffContext.tsx';

interface StaffArea {
  label: string;
  path: string;
  /** Shown only with this privilege at the current institution (the server checks again). */
  privilege: string;
}

/** The staff screens, in the order a circulation desk uses them. */
export const STAFF_AREAS: { heading: string; areas: StaffArea[] }[] = [
  {
    heading: 'Circulation desk',
    areas: [
      { label: 'Patron services', path: '/staff/patron-services', privilege: 'circulation.desk' },
      { label: 'Manage item returns', path: '/staff/returns', privilege: 'circulation.desk' },
      { label: 'Scan in items', path: '/staff/scan-in', privilege: 'circulation.desk' },
      { label: 'Pick from shelf', path: '/staff/pick-list', privilege: 'circulation.desk' },
      { label: 'Hold shelf', path: '/staff/hold-shelf', privilege: 'circulation.desk' },
      { label: 'Transits', path: '/staff/transits', privilege: 'circulation.desk' },
    ],
  },
  {
    heading: 'Records',
    areas: [
      { label: 'Patron records', path: '/staff/patrons', privilege: 'patrons.read' },
      { label: 'Item records', path: '/staff/items', privilege: 'inventory.read' },
    ],
  },
  {
    heading: 'Administration',
    areas: [{ label: 'Configuration', path: '/staff/configuration', privilege: 'config.read' }],
  },
];

/**
 * The frame of every staff screen: the operator, institution and desk always in the header
 * (with a way to change desk), the task navigation, and the screen itself.
 */
export function StaffLayout() {
  return (
    <StaffSessionProvider
      fallback={(error) => (
        <PageLayout>
          <Title order={1} mb="md">
            Staff
          </Title>
          {error ? (
            <ErrorMessage title="Your session could not be loaded">{error}</ErrorMessage>
          ) : (
            <StatusMessage>Loading your session…</StatusMessage>
          )}
        </PageLayout>
      )}
    >
      <StaffFrame />
    </StaffSessionProvider>
  );
}

function StaffFrame() {
  const [signOutError, setSignOutError] = useState<string | null>(null);
  return (
    <PageLayout headerContent={<StaffHeader onSignOutError={setSignOutError} />} nav={<StaffNav />}>
      {signOutError ? <ErrorMessage title="Sign-out failed">{signOutError}</ErrorMessage> : null}
      <Outlet />
    </PageLayout>
  );
}

/** The header always shows the operator, the current institution and the desk (or none). */
function StaffHeader({ onSignOutError }: { onSignOutError: (message: string | null) => void }) {
  const { session, desk, institutionName } = useStaff();
  const navigate = useNavigate();
  async function onSignOut() {
    onSignOutError(null);
    try {
      await signOut();
      navigate('/staff/sign-in');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) navigate('/staff/sign-in');
      else onSignOutError(errorMessage(e));
    }
  }
  return (
    <Group gap="lg" wrap="wrap" justify="flex-end">
      <Box data-testid="current-desk" aria-label="Current institution and desk" role="group">
        <Text size="sm" c="gray.8" lh={1.3}>
          Signed in as <strong>{session.user.name}</strong>
        </Text>
        <Text size="sm" lh={1.3}>
          <span>{institutionName}</span>
          {' · '}
          {desk ? (
            <span>
              Desk: <strong>{desk.name}</strong> ({desk.libraryName})
            </span>
          ) : (
            <strong>No desk chosen</strong>
          )}{' '}
          <Anchor component={Link} to="/staff" size="sm">
            {desk ? 'Change desk' : 'Choose a desk'}
          </Anchor>
        </Text>
      </Box>
      <Button variant="outline" onClick={onSignOut}>
        Sign out
      </Button>
    </Group>
  );
}

function StaffNav() {
  const { can } = useStaff();
  const location = useLocation();
  return (
    <Box component="nav" aria-labelledby="staff-nav-heading">
      <Title order={2} size="h4" id="staff-nav-heading" mb="xs">
        Staff tasks
      </Title>
      <Stack gap="md">
        <NavLink
          component={Link}
          to="/staff"
          label="Staff home"
          active={location.pathname === '/staff'}
          variant="filled"
          aria-current={location.pathname === '/staff' ? 'page' : undefined}
        />
        {STAFF_AREAS.map((group) => {
          const visible = group.areas.filter((a) => can(a.privilege));
          if (visible.length === 0) return null;
          return (
            <Box key={group.heading}>
              <Text fw={700} size="sm" c="gray.8" tt="uppercase" mb={4} component="h3" m={0}>
                {group.heading}
              </Text>
              <Stack component="ul" className="plain-list" gap={0}>
                {visible.map((area) => {
                  const active =
                    location.pathname === area.path || location.pathname.startsWith(`${area.path}/`);
                  return (
                    <li key={area.path}>
                      <NavLink
                        component={Link}
                        to={area.path}
                        label={area.label}
                        active={active}
                        // Filled: the light variant's hover shade fails AA contrast on the active link.
                        variant="filled"
                        aria-current={active ? 'page' : undefined}
                      />
                    </li>
                  );
                })}
              </Stack>
            </Box>
          );
        })}
      </Stack>
    </Box>
  );
}
