import { Anchor, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';

interface SectionLink {
  to: string;
  label: string;
  description: string;
  /** Shown only with this privilege (the server checks again). */
  privilege?: string;
}

const SECTIONS: { heading: string; links: SectionLink[] }[] = [
  {
    heading: 'Institution & libraries',
    links: [
      {
        to: 'institution',
        label: 'Institution and network settings',
        description: 'Name, time zone, currency; what other members see (NET-4, NET-5).',
      },
      {
        to: 'libraries',
        label: 'Libraries',
        description: 'Libraries, their time zones, and whether they serve other members.',
      },
      { to: 'desks', label: 'Circulation desks', description: 'The desks staff work at.' },
      { to: 'locations', label: 'Shelving locations', description: 'Where items are shelved.' },
      {
        to: 'calendars',
        label: 'Opening hours and closed days',
        description: 'Each library’s calendar; due dates fall on open days.',
      },
      {
        to: 'library-relations',
        label: 'Library relations',
        description: 'Which library lends for, and delivers to, which (NET-6).',
      },
      {
        to: 'transit-times',
        label: 'Transit times',
        description: 'Days in transit between libraries; expected arrival dates follow them (NET-6).',
      },
    ],
  },
  {
    heading: 'Fulfillment',
    links: [
      {
        to: 'terms-of-use',
        label: 'Terms of use and loan rules',
        description: 'Loan periods, renewals, fines and which rule applies to whom (CIRC-2).',
      },
      { to: 'user-groups', label: 'User groups', description: 'Groups of patrons.' },
      { to: 'item-policies', label: 'Item policies', description: 'How items may circulate.' },
      { to: 'material-types', label: 'Material types', description: 'Book, DVD, score…' },
      { to: 'loan-limits', label: 'Loan limits', description: 'How many loans a patron may have.' },
      {
        to: 'linked-account-rules',
        label: 'Linked-account rules',
        description: 'Accounts for patrons of other members (PAT-4).',
      },
    ],
  },
  {
    heading: 'Letters',
    links: [
      {
        to: 'letters',
        label: 'Letter templates and sender',
        description: 'The text of receipts and notices, and the sender address (CIRC-12).',
      },
    ],
  },
  {
    heading: 'Staff',
    links: [
      {
        to: 'staff',
        label: 'Staff and roles',
        description: 'Staff accounts and the roles they hold.',
        privilege: 'staff.manage',
      },
    ],
  },
  {
    heading: 'Audit trail',
    links: [
      {
        to: 'audit',
        label: 'Audit trail',
        description: 'Who changed what, and when (NET-7).',
        privilege: 'audit.read',
      },
    ],
  },
];

/** /staff/configuration: every section, grouped, as links. */
export function ConfigurationOverview() {
  usePageTitle('Configuration');
  const { can, institutionName } = useStaff();
  const canChange = can('config.institution.manage') || can('config.fulfillment.manage');
  return (
    <Stack gap="md">
      <Title order={1}>Configuration</Title>
      <Text>
        The configuration of <strong>{institutionName}</strong>.{' '}
        {canChange
          ? 'Choose a section to read or change it; every change is written to the audit trail.'
          : 'You can read every section; changing it needs an administrator role.'}
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        {SECTIONS.map((section) => {
          const links = section.links.filter((l) => !l.privilege || can(l.privilege));
          if (links.length === 0) return null;
          const id = `config-section-${section.heading.replace(/[^A-Za-z]+/g, '-').toLowerCase()}`;
          return (
            <Paper key={section.heading} withBorder p="md" component="section" aria-labelledby={id}>
              <Title order={2} size="h3" id={id} mb="xs">
                {section.heading}
              </Title>
              <Stack component="ul" className="plain-list" gap="xs" m={0} p={0}>
                {links.map((link) => (
                  <li key={link.to}>
                    <Anchor component={Link} to={`/staff/configuration/${link.to}`} fw={600}>
                      {link.label}
                    </Anchor>
                    <Text size="sm" c="gray.8">
                      {link.description}
                    </Text>
                  </li>
                ))}
              </Stack>
            </Paper>
          );
        })}
      </SimpleGrid>
    </Stack>
  );
}
