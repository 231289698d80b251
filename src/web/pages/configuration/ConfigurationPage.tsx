import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function ConfigurationPage() {
  usePageTitle('Configuration');
  return (
    <>
      <Title order={1}>Configuration</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
