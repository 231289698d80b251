import { Title } from '@mantine/core';
import { StatusMessage } from '../../components/Messages.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

export function PatronServicesPage() {
  usePageTitle('Patron services');
  return (
    <>
      <Title order={1}>Patron services</Title>
      <StatusMessage>Being built.</StatusMessage>
    </>
  );
}
