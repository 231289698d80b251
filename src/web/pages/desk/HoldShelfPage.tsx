import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function HoldShelfPage() {
  usePageTitle('Hold shelf');
  return (
    <>
      <Title order={1}>Hold shelf</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
