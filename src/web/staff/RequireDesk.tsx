import { Anchor, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { SessionDesk } from '../api.ts';
import { useStaff } from './StaffContext.tsx';

/**
 * Desk screens act at the operator's desk (its library is where items are lent, returned and
 * picked): without one they say so and link to the choice instead of failing later.
 */
export function RequireDesk({ children }: { children: (desk: SessionDesk) => ReactNode }) {
  const { desk } = useStaff();
  if (!desk) {
    return (
      <Text role="status">
        Choose the circulation desk you are working at first:{' '}
        <Anchor component={Link} to="/staff">
          choose a desk
        </Anchor>
        .
      </Text>
    );
  }
  return <>{children(desk)}</>;
}
