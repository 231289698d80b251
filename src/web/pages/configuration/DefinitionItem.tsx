import { Box, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One term and its value in a description list (`<dl>`) of settings. */
export function DefinitionItem({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Text component="dt" fw={700} size="sm" c="gray.8">
        {label}
      </Text>
      <Text component="dd" m={0}>
        {children}
      </Text>
    </Box>
  );
}
