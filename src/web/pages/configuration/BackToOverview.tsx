import { Anchor } from '@mantine/core';
import { Link } from 'react-router-dom';

/** The way back from a configuration screen to the list of sections. */
export function BackToOverview() {
  return (
    <Anchor component={Link} to="/staff/configuration" size="sm">
      ← All configuration sections
    </Anchor>
  );
}
