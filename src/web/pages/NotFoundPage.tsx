import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { PageLayout } from '../components/PageLayout.tsx';
import { usePageTitle } from '../usePageTitle.ts';

/** Any path the UI does not know. */
export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <PageLayout>
      <Stack gap="md">
        <Title order={1}>Page not found</Title>
        <Text>There is no page at this address.</Text>
        <Anchor component={Link} to="/">
          Go to the Shelfshare home page
        </Anchor>
      </Stack>
    </PageLayout>
  );
}
