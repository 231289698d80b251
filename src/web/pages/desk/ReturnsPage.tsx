import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function ReturnsPage(_props: { mode: 'returns' | 'scan-in' }) {
  usePageTitle('Manage item returns');
  return (
    <>
      <Title order={1}>Manage item returns</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
