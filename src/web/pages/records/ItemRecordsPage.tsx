import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function ItemRecordsPage() {
  usePageTitle('Item records');
  return (
    <>
      <Title order={1}>Item records</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
