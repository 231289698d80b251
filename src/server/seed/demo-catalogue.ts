import { fileURLToPath } from 'node:url';
import { type ImportSummary, importMarcFile } from '../catalogue/import.ts';
import type { Db } from '../db/database.ts';

/** The permissively licensed MARC files copied into the project (demo/marc/LICENSES.md). */
export const DEMO_MARC_DIR = fileURLToPath(new URL('../../../demo/marc/', import.meta.url));

interface DemoLoad {
  institution: 'NORTH' | 'SOUTH' | 'EAST';
  file: string;
  records?: { from: number; to: number };
}

/**
 * Who holds what. Each member gets its own files plus a slice of the UVA catalogue, and the
 * slices overlap, so that the same work is held by several members (GET-1, one result per
 * work): UVA records 601-700 are held by all three, 401-600 by NORTH and SOUTH, 701-800 by
 * SOUTH and EAST, and the pymarc Perl books by NORTH and SOUTH.
 */
export const DEMO_CATALOGUE: DemoLoad[] = [
  { institution: 'NORTH', file: 'uva-library-solrmarc.mrc', records: { from: 1, to: 700 } },
  { institution: 'NORTH', file: 'loc-books-marc2bibframe2.xml' },
  { institution: 'NORTH', file: 'loc-perl-books-pymarc.mrc' },
  { institution: 'NORTH', file: 'loc-programming-books-pymarc.mrc' },
  { institution: 'SOUTH', file: 'uva-library-solrmarc.mrc', records: { from: 401, to: 1000 } },
  { institution: 'SOUTH', file: 'gwu-library-marc2bibframe2.xml' },
  { institution: 'SOUTH', file: 'nlm-medical-marc2bibframe2.xml' },
  { institution: 'SOUTH', file: 'loc-perl-books-pymarc.mrc' },
  { institution: 'EAST', file: 'uva-library-solrmarc.mrc', records: { from: 601, to: 800 } },
  { institution: 'EAST', file: 'uva-library-solrmarc.mrc', records: { from: 1001, to: 1300 } },
  { institution: 'EAST', file: 'british-library-marc2bibframe2.xml' },
  { institution: 'EAST', file: 'mixed-scripts-blacklight.mrc' },
  { institution: 'EAST', file: 'library-sample-traject.mrc' },
];

/**
 * Loads the demo catalogue into the demo institutions NORTH, SOUTH and EAST (which
 * seedDemoNetworkIfEmpty creates), with copies spread over each member's libraries. Does
 * nothing when NORTH already has records, and importing twice would change nothing anyway.
 * Barcodes from the files get the member's code in front, so no barcode is held by two members.
 */
export async function seedDemoCatalogue(db: Db): Promise<ImportSummary[]> {
  const institutions = await db
    .selectFrom('institutions')
    .select(['id', 'code'])
    .where('code', 'in', ['NORTH', 'SOUTH', 'EAST'])
    .execute();
  const idOf = new Map(institutions.map((i) => [i.code, i.id]));
  const north = idOf.get('NORTH');
  if (!north || idOf.size < 3) return [];
  const existing = await db
    .selectFrom('bib_records')
    .select('id')
    .where('institution_id', '=', north)
    .limit(1)
    .executeTakeFirst();
  if (existing) return [];
  const summaries: ImportSummary[] = [];
  for (const load of DEMO_CATALOGUE) {
    summaries.push(
      await importMarcFile(db, {
        institutionId: idOf.get(load.institution) as string,
        path: `${DEMO_MARC_DIR}${load.file}`,
        spreadOverLibraries: true,
        barcodePrefix: `${load.institution}-`,
        ...(load.records ? { records: load.records } : {}),
      }),
    );
  }
  return summaries;
}
