import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function PatronRecordsPage() {
  usePageTitle('Patron records');
  return (
    <>
      <Title order={1}>Patron records</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
