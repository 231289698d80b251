import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function PatronRecordPage() {
  usePageTitle('Patron record');
  return (
    <>
      <Title order={1}>Patron record</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
