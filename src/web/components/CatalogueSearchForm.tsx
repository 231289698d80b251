import { Box, Button, Group, TextInput } from '@mantine/core';
import { type FormEvent, useRef, useState } from 'react';

interface CatalogueSearchFormProps {
  /** The words already searched for (the results page shows them again). */
  initialQuery?: string;
  /** Called with the trimmed words; never with an empty search. */
  onSearch(query: string): void;
}

/** The network catalogue search box (GET-1), a search landmark on discovery pages. */
export function CatalogueSearchForm({ initialQuery = '', onSearch }: CatalogueSearchFormProps) {
  const [query, setQuery] = useState(initialQuery);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const words = query.trim();
    if (words === '') {
      setError('Enter words to search for.');
      inputRef.current?.focus();
      return;
    }
    setError(null);
    onSearch(words);
  }

  return (
    <Box
      component="form"
      role="search"
      aria-label="Network catalogue"
      onSubmit={onSubmit}
      noValidate
      maw={720}
    >
      <TextInput
        ref={inputRef}
        label="Search the network catalogue"
        description="Words from the title, author or subject"
        type="search"
        name="q"
        value={query}
        error={error}
        onChange={(e) => {
          setQuery(e.currentTarget.value);
          if (error) setError(null);
        }}
        // The button sits beside the box itself, above any error message.
        inputContainer={(input) => (
          <Group gap="sm" wrap="nowrap" align="flex-end">
            <Box style={{ flex: 1 }}>{input}</Box>
            <Button type="submit">Search</Button>
          </Group>
        )}
      />
    </Box>
  );
}
