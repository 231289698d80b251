import { Anchor, Box, Container, Group } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';

interface PageLayoutProps {
  /** Shown at the right of the header (who is signed in, the desk, sign-out...). */
  headerContent?: ReactNode;
  /** The page's own content, rendered in the main landmark. */
  children: ReactNode;
  /** A navigation landmark shown beside the main content. */
  nav?: ReactNode;
}

/** The frame of every page: a skip link, a header landmark, optional navigation and main. */
export function PageLayout({ headerContent, children, nav }: PageLayoutProps) {
  return (
    <>
      <a className="skip-link" href="#main-content">
        Skip to main content
      </a>
      <Box
        component="header"
        py="sm"
        style={{
          borderBottom: '1px solid var(--mantine-color-gray-4)',
          background: 'var(--mantine-color-gray-0)',
        }}
      >
        <Container size="xl">
          <Group justify="space-between" align="center" wrap="wrap" gap="md">
            <Anchor component={Link} to="/" fw={700} fz="lg" c="dark.8" underline="hover">
              Shelfshare
            </Anchor>
            {headerContent}
          </Group>
        </Container>
      </Box>
      <Container size="xl" py="lg">
        {nav ? (
          <Group align="flex-start" wrap="nowrap" gap="xl">
            <Box w={240} style={{ flexShrink: 0 }}>
              {nav}
            </Box>
            <Box component="main" id="main-content" tabIndex={-1} style={{ flex: 1, minWidth: 0 }}>
              {children}
            </Box>
          </Group>
        ) : (
          <Box component="main" id="main-content" tabIndex={-1}>
            {children}
          </Box>
        )}
      </Container>
    </>
  );
}
