import { Anchor, Box, Group, List, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { type PatronFees, patronDisplayName } from '../../api/circulation.ts';
import type { Patron } from '../../api/shared.ts';
import { formatDate, formatMoney } from '../../format.ts';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Text component="dt" size="xs" fw={700} c="gray.8" tt="uppercase">
        {label}
      </Text>
      <Text component="dd" m={0}>
        {children}
      </Text>
    </Box>
  );
}

/** Who is at the desk: name, identifiers, group, expiry, blocks and open balance, warnings in words. */
export function PatronHeader({ patron, fees }: { patron: Patron; fees: PatronFees | null }) {
  const name = patronDisplayName(patron);
  const balances = fees?.balances.filter((b) => b.balanceMinor !== 0) ?? [];
  const warnings: ReactNode[] = [];
  if (patron.blocked) {
    warnings.push(
      <>
        Blocked: loans and renewals are refused until the block is lifted.
        <List size="sm" mt={4}>
          {patron.blocks.map((b) => (
            <List.Item key={b.id}>
              {b.blockType}
              {b.reason ? `: ${b.reason}` : ''}
              {b.expiresAt ? ` (until ${formatDate(b.expiresAt)})` : ''}
            </List.Item>
          ))}
        </List>
      </>,
    );
  }
  if (patron.expired) {
    warnings.push(
      <>Expired on {formatDate(patron.expiryDate)}: the account must be renewed before anything is lent.</>,
    );
  }
  if (patron.status === 'inactive') warnings.push(<>Inactive account: nothing can be lent.</>);
  const owes = balances.some((b) => b.balanceMinor > 0);

  return (
    <Box
      component="section"
      aria-labelledby="patron-name"
      data-testid="patron-summary"
      p="md"
      style={{
        border: '1px solid var(--mantine-color-gray-4)',
        borderRadius: 'var(--mantine-radius-md)',
        background: 'var(--mantine-color-gray-0)',
      }}
    >
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Title order={2} id="patron-name">
          {name}
        </Title>
        <Anchor component={Link} to={`/staff/patrons/${patron.id}`} c="blue.9">
          Open patron record
        </Anchor>
      </Group>
      {warnings.length > 0 ? (
        <Box
          data-testid="patron-warnings"
          mt="sm"
          p="sm"
          style={{
            border: '2px solid var(--mantine-color-red-8)',
            borderRadius: 'var(--mantine-radius-sm)',
            background: 'var(--mantine-color-red-0)',
            color: 'var(--mantine-color-red-9)',
          }}
        >
          <Text fw={700} inherit>
            Warning
          </Text>
          {warnings.map((w, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list built above
            <Text key={i} inherit component="div">
              {w}
            </Text>
          ))}
        </Box>
      ) : null}
      <Box
        component="dl"
        mt="sm"
        mb={0}
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(auto-fit, minmax(11rem, 1fr))',
          gap: '0.75rem',
        }}
      >
        <Fact label="Barcode and identifiers">
          {[patron.primaryIdentifier, ...patron.identifiers.map((i) => i.value)]
            .filter((v, i, all) => all.indexOf(v) === i)
            .join(', ')}
        </Fact>
        <Fact label="User group">{patron.userGroup.name}</Fact>
        <Fact label="Expires">
          {patron.expiryDate ? formatDate(patron.expiryDate) : 'Never'}
          {patron.expired ? ' (expired)' : ''}
        </Fact>
        <Fact label="Blocks">
          {patron.blocks.length === 0 ? 'None' : patron.blocks.map((b) => b.blockType).join(', ')}
        </Fact>
        <Fact label="Open balance">
          <Text
            component="span"
            inherit
            fw={owes ? 700 : undefined}
            c={owes ? 'red.9' : undefined}
            data-testid="open-balance"
          >
            {fees === null
              ? 'Could not be loaded'
              : balances.length === 0
                ? 'Nothing owed'
                : balances.map((b) => formatMoney(b.balanceMinor, b.currency)).join(', ')}
          </Text>
        </Fact>
      </Box>
    </Box>
  );
}
