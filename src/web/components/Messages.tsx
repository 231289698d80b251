import { Box, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** An error announced to assistive technology (role="alert"), in colours that pass AA. */
export function ErrorMessage({ title, children }: { title?: string; children: ReactNode }) {
  return (
    <Box
      role="alert"
      p="sm"
      style={{
        border: '1px solid var(--mantine-color-red-8)',
        borderRadius: 'var(--mantine-radius-sm)',
        background: 'var(--mantine-color-red-0)',
        color: 'var(--mantine-color-red-9)',
      }}
    >
      {title ? (
        <Text fw={700} inherit>
          {title}
        </Text>
      ) : null}
      <Text inherit component="div">
        {children}
      </Text>
    </Box>
  );
}

/** A polite status message (role="status"): loading, saved, "coming soon". */
export function StatusMessage({ children }: { children: ReactNode }) {
  return (
    <Text role="status" c="gray.8">
      {children}
    </Text>
  );
}
