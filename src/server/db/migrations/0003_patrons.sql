-- PAT-1 search (issue 3): patrons.search_text is written by the application on every change
-- (patrons/rules.ts buildSearchText: names and identifiers, folded for case and diacritics).
-- Records made before it existed (the demo patrons of issue 2) get a close approximation here,
-- lower-cased with the common Latin diacritics removed; their next change rewrites it exactly.
UPDATE patrons p
SET search_text = trim(regexp_replace(lower(translate(
      concat_ws(' ', p.last_name, p.first_name, p.middle_name, p.preferred_name, p.primary_identifier,
        (SELECT string_agg(i.value, ' ' ORDER BY i.id_type, i.value) FROM patron_identifiers i
          WHERE i.institution_id = p.institution_id AND i.patron_id = p.id)),
      'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿŠšŽžČčĆćŘřŚśŹźŻżŃńĘęĄąŁłØøĐđ',
      'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOoooooUUUUuuuuYyySsZzCcCcRrSsZzZzNnEeAaLlOoDd')),
    '[^[:alnum:]]+', ' ', 'g'))
WHERE p.search_text = '';
