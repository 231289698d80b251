import { Stack, Text, Title } from '@mantine/core';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { getItemByBarcode } from '../../api/records.ts';
import { ApiError } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { ErrorMessage } from '../../components/Messages.tsx';
import { ScanInput, type ScanInputHandle } from '../../components/ScanInput.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

/** Item records (CIRC-1): scan or type a barcode to open the item's record. */
export function ItemRecordsPage() {
  usePageTitle('Item records');
  const { institutionId, institutionName } = useStaff();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ barcode: string; error: unknown } | null>(null);
  const scanRef = useRef<ScanInputHandle>(null);

  async function onScan(barcode: string) {
    setBusy(true);
    setError(null);
    try {
      const item = await getItemByBarcode(institutionId, barcode);
      navigate(`/staff/items/${item.id}`);
    } catch (e) {
      setError({ barcode, error: e });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md">
      <Title order={1}>Item records</Title>
      <Text>
        Scan or type the barcode of an item of {institutionName} to see its state, record and history.
      </Text>
      <ScanInput ref={scanRef} label="Item barcode" actionLabel="Find" onScan={onScan} busy={busy} />
      {error ? (
        error.error instanceof ApiError && error.error.status === 404 ? (
          <ErrorMessage title={`No item with barcode ${error.barcode}`}>
            There is no item with this barcode in {institutionName}. Check the barcode and scan again.
          </ErrorMessage>
        ) : (
          <ApiErrorAlert title={`The item ${error.barcode} could not be found`} error={error.error} />
        )
      ) : null}
    </Stack>
  );
}
