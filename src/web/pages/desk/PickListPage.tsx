import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function PickListPage() {
  usePageTitle('Pick from shelf');
  return (
    <>
      <Title order={1}>Pick from shelf</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
