import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function TransitsPage() {
  usePageTitle('Transits');
  return (
    <>
      <Title order={1}>Transits</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
