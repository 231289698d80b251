import { Badge } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The badge's background under its white text: shade 9 passes AA (4.5:1) for red, gray and
 * blue, but green.9 and orange.9 give only about 4.3:1, so those two take a darker tone (6:1).
 */
const BADGE_COLOURS = {
  red: 'red.9',
  orange: '#a63a0b',
  green: '#237032',
  gray: 'gray.9',
  blue: 'blue.9',
} as const;

/** A badge that says what it means in words; dark shades keep AA contrast. */
export function WordBadge({
  color,
  children,
}: {
  color: 'red' | 'orange' | 'green' | 'gray' | 'blue';
  children: ReactNode;
}) {
  return (
    <Badge
      color={BADGE_COLOURS[color]}
      variant="filled"
      radius="sm"
      style={{ textTransform: 'none', flexShrink: 0 }}
      styles={{ label: { overflow: 'visible', whiteSpace: 'nowrap' } }}
    >
      {children}
    </Badge>
  );
}
