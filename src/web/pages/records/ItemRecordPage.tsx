import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function ItemRecordPage() {
  usePageTitle('Item record');
  return (
    <>
      <Title order={1}>Item record</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
