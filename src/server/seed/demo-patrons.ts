import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { refreshSearchText } from '../patrons/commands.ts';
import { buildSearchText, patronSearchWords } from '../patrons/rules.ts';

/**
 * Demo patrons (issue 3): ~150 per institution, the same on every run, in several user groups,
 * with names from many languages and scripts (so that search without diacritics and in other
 * scripts can be tried), a barcode and a university ID each, some expired and some blocked.
 * None has a discovery password: only the three named demo patrons of each institution sign in.
 */

interface NameGroup {
  first: string[];
  last: string[];
}

/** Names that go together, by language; a patron takes both names from one group. */
const NAME_GROUPS: NameGroup[] = [
  {
    first: ['Emma', 'Liam', 'Olivia', 'Noah', 'Grace', 'Ethan', 'Hannah', 'Owen'],
    last: ['Tremblay', 'Campbell', 'MacDonald', 'Brown', 'Wilson', 'Taylor', "O'Brien", 'Fraser'],
  },
  {
    first: ['Zoë', 'Chloé', 'François', 'Anaïs', 'Noé', 'Hélène', 'Jérôme', 'Léa'],
    last: ['Gagné', 'Côté', 'Lefèvre', 'Bélanger', 'Pelletier', 'Bouchard', 'Lévesque', 'Dubé'],
  },
  {
    first: ['José', 'María', 'Sofía', 'Mateo', 'Lucía', 'Andrés', 'Inés', 'Joaquín'],
    last: ['García', 'Núñez', 'Fernández', 'Martínez', 'Ibáñez', 'Muñoz', 'Peña', 'Rodríguez'],
  },
  {
    first: ['Søren', 'Åsa', 'Björn', 'Ingrid', 'Øystein', 'Märta', 'Sigrún', 'Ólafur'],
    last: ['Lindqvist', 'Ångström', 'Søndergaard', 'Øberg', 'Johansson', 'Björklund', 'Hansen', 'Þórsson'],
  },
  {
    first: ['Łukasz', 'Zofia', 'Małgorzata', 'Bartłomiej', 'Zoltán', 'Ágnes', 'Erzsébet', 'Dávid'],
    last: ['Nowak', 'Wójcik', 'Kowalczyk', 'Mazur', 'Kovács', 'Szabó', 'Tóth', 'Horváth'],
  },
  {
    first: ['Jürgen', 'Anneliese', 'Lukas', 'Käthe', 'Matthias', 'Jörg', 'Greta', 'Uwe'],
    last: ['Müller', 'Schröder', 'Weiß', 'Köhler', 'Schäfer', 'Groß', 'Fischer', 'Krüger'],
  },
  {
    first: ['Дмитро', 'Анастасія', 'Сергій', 'Ольга', 'Олексій', 'Ірина', 'Наталія', 'Михайло'],
    last: ['Шевченко', 'Коваленко', 'Бондаренко', 'Мельник', 'Ткаченко', 'Кравченко', 'Олійник', 'Савченко'],
  },
  {
    first: ['芳', '伟', '娜', '静', '磊', '婷', '洋', '敏'],
    last: ['王', '李', '陈', '张', '刘', '杨', '黄', '赵'],
  },
  {
    first: ['さくら', '翔太', '陽菜', '大輝', '蓮', '美咲', '悠斗', '結衣'],
    last: ['佐藤', '高橋', '鈴木', '渡辺', '伊藤', '山本', '中村', '小林'],
  },
  {
    first: ['Thảo', 'Minh', 'Hương', 'Đức', 'Linh', 'Quốc', 'Ngọc', 'Tuấn'],
    last: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Võ', 'Đặng', 'Bùi'],
  },
  {
    first: ['Amara', 'Kwame', 'Oluwaseun', 'Ngozi', 'Chidi', 'Abena', 'Tendai', 'Adaeze'],
    last: ['Okafor', 'Mensah', 'Adeyemi', 'Boateng', 'Eze', 'Okonkwo', 'Moyo', 'Asante'],
  },
  {
    first: ['محمد', 'فاطمة', 'علي', 'ليلى', 'عمر', 'نور', 'يوسف', 'زينب'],
    last: ['حداد', 'المصري', 'عباس', 'خليل', 'ناصر', 'صالح', 'فاروق', 'النجار'],
  },
  {
    first: ['Yusuf', 'Leila', 'Omar', 'Nour', 'Karim', 'Yasmin', 'Tariq', 'Rania'],
    last: ['Haddad', 'Khalil', 'Nasser', 'Saleh', 'Farouk', 'Mansour', 'Aziz', 'Hamdan'],
  },
  {
    first: ['Aarav', 'Priya', 'Ananya', 'Rohan', 'Kavya', 'Vikram', 'Meera', 'Arjun'],
    last: ['Patel', 'Sharma', 'Singh', 'Iyer', 'Reddy', 'Gupta', 'Nair', 'Rao'],
  },
  {
    first: ['अर्जुन', 'प्रिया', 'राहुल', 'अनन्या'],
    last: ['शर्मा', 'वर्मा', 'गुप्ता', 'पटेल'],
  },
  {
    first: ['Şeyma', 'Emre', 'Çağla', 'İlker', 'Ayşe', 'Mehmet', 'Gökhan', 'Elif'],
    last: ['Yılmaz', 'Öztürk', 'Şahin', 'Çelik', 'Doğan', 'Kaya', 'Aydın', 'Arslan'],
  },
  {
    first: ['Ελένη', 'Γιώργος', 'Νίκος', 'Μαρία', 'Δημήτρης', 'Κατερίνα'],
    last: ['Παππάς', 'Γεωργίου', 'Νικολάου', 'Οικονόμου', 'Ιωάννου', 'Κωνσταντίνου'],
  },
  { first: ['יעל', 'נועה', 'אריאל', 'דוד'], last: ['כהן', 'לוי', 'מזרחי', 'פרץ'] },
  { first: ['Yael', 'Noa', 'Ari', 'David'], last: ['Cohen', 'Levi', 'Mizrahi', 'Peretz'] },
  {
    first: ['Aoife', 'Siobhán', 'Seán', 'Niamh', 'Keisha', 'Marcus', 'Darnell', 'Imani'],
    last: ["O'Connell", 'Ó Briain', 'Murphy', 'Kennedy', 'Boudreaux', 'Landry', 'Broussard', 'Thibodeaux'],
  },
];

const MIDDLE_NAMES = ['Marie', 'James', 'Anne', 'Lee', 'Rose', 'Jean'];
const BLOCKS = [
  { type: 'FINES', reason: 'Unpaid fines over the limit' },
  { type: 'LOST_CARD', reason: 'Library card reported lost; issue a new barcode' },
  { type: 'LIBRARY', reason: 'Conduct: refer to the circulation manager' },
  { type: 'OVERDUE', reason: 'Long-overdue items not returned' },
];

export const DEMO_PATRONS_PER_INSTITUTION = 150;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A small number from the institution code, so institutions get different names and barcodes. */
function codeSeed(code: string): number {
  let seed = 0;
  for (const ch of code) seed = (seed * 31 + ch.charCodeAt(0)) % 9973;
  return seed;
}

/** UNDERGRAD half, GRAD a quarter, FACULTY and STAFF the rest. */
function groupOf(i: number): 'UNDERGRAD' | 'GRAD' | 'FACULTY' | 'STAFF' {
  const slot = i % 20;
  return slot < 10 ? 'UNDERGRAD' : slot < 15 ? 'GRAD' : slot < 18 ? 'FACULTY' : 'STAFF';
}

/**
 * Creates the institution's demo patrons in the caller's transaction (the demo seed's). Patrons
 * of the institution made before without a search text (the named demo patrons) get one too.
 * Returns how many were created.
 */
export async function seedDemoPatrons(
  trx: Transaction<Database>,
  institution: { id: string; code: string },
  userGroups: Record<string, string>,
): Promise<number> {
  const seed = codeSeed(institution.code);
  const prefix = institution.code.slice(0, 1).toUpperCase();
  const barcodePrefix = `2${pad(100 + (seed % 900), 3)}`;
  const domain = `${institution.code.toLowerCase()}.example`;
  const fallbackGroup = userGroups.UNDERGRAD ?? Object.values(userGroups)[0];
  if (!fallbackGroup) throw new Error(`No user groups to seed demo patrons of ${institution.code}`);

  const patrons = [];
  const identifiers: { primary: string; barcode: string; universityId: string }[] = [];
  const blocked = new Map<string, (typeof BLOCKS)[number] & { network: boolean }>();
  for (let i = 1; i <= DEMO_PATRONS_PER_INSTITUTION; i++) {
    const names = NAME_GROUPS[(i + seed) % NAME_GROUPS.length] as NameGroup;
    const firstName = names.first[(i * 3 + seed) % names.first.length] as string;
    const lastName = names.last[(i * 5 + Math.floor(i / NAME_GROUPS.length)) % names.last.length] as string;
    const middleName = i % 9 === 0 ? (MIDDLE_NAMES[i % MIDDLE_NAMES.length] as string) : '';
    const group = groupOf(i);
    const primaryIdentifier = `${prefix}${1000 + i}`;
    const barcode = `${barcodePrefix}${pad(i, 6)}`;
    const universityId = `${institution.code}-${pad(seed + i * 17, 6)}`;
    const expired = i % 19 === 3; // 8 of 150
    const student = group === 'UNDERGRAD' || group === 'GRAD';
    const expiryDate = expired ? '2025-08-31' : student ? `${2027 + (i % 2)}-08-31` : '2029-06-30';
    const purgeDate = `${Number(expiryDate.slice(0, 4)) + 2}${expiryDate.slice(4)}`;
    const local = [firstName, lastName]
      .map((n) =>
        patronSearchWords(n)
          .join('')
          .replace(/[^a-z0-9]/g, ''),
      )
      .filter(Boolean)
      .join('.');
    const emails = [{ address: `${local || 'patron'}.${i}@${domain}`, type: 'school', preferred: true }];
    const phones = i % 3 === 0 ? [{ number: `+1 555 01${pad(i, 3)}`, type: 'mobile', preferred: true }] : [];
    const addresses =
      group === 'UNDERGRAD' && i % 4 === 0
        ? [
            {
              lines: [`Room ${100 + i}`, `Residence Hall ${1 + (i % 5)}`],
              city: '',
              region: '',
              postalCode: '',
              country: '',
              type: 'school',
              preferred: true,
            },
          ]
        : [];
    patrons.push({
      institution_id: institution.id,
      primary_identifier: primaryIdentifier,
      first_name: firstName,
      middle_name: middleName,
      last_name: lastName,
      user_group_id: userGroups[group] ?? fallbackGroup,
      emails: JSON.stringify(emails),
      phones: JSON.stringify(phones),
      addresses: JSON.stringify(addresses),
      email: emails[0]?.address ?? null,
      expiry_date: expiryDate,
      purge_date: purgeDate,
      search_text: buildSearchText({
        lastName,
        firstName,
        middleName,
        primaryIdentifier,
        identifiers: [{ value: barcode }, { value: universityId }],
      }),
    });
    identifiers.push({ primary: primaryIdentifier, barcode, universityId });
    if (i % 19 === 11) {
      const block = BLOCKS[i % BLOCKS.length] as (typeof BLOCKS)[number];
      blocked.set(primaryIdentifier, { ...block, network: i % 2 === 0 });
    }
  }

  const rows = await trx
    .insertInto('patrons')
    .values(patrons)
    .returning(['id', 'primary_identifier'])
    .execute();
  const idOf = new Map(rows.map((r) => [r.primary_identifier, r.id]));
  await trx
    .insertInto('patron_identifiers')
    .values(
      identifiers.flatMap((p) => [
        {
          institution_id: institution.id,
          patron_id: idOf.get(p.primary) as string,
          id_type: 'BARCODE',
          value: p.barcode,
        },
        {
          institution_id: institution.id,
          patron_id: idOf.get(p.primary) as string,
          id_type: 'UNIVERSITY_ID',
          value: p.universityId,
        },
      ]),
    )
    .execute();
  await trx
    .insertInto('patron_blocks')
    .values(
      [...blocked].map(([primary, block]) => ({
        institution_id: institution.id,
        patron_id: idOf.get(primary) as string,
        block_type: block.type,
        reason: block.reason,
        network_block: block.network,
      })),
    )
    .execute();

  const unsearchable = await trx
    .selectFrom('patrons')
    .select('id')
    .where('institution_id', '=', institution.id)
    .where('search_text', '=', '')
    .execute();
  for (const patron of unsearchable) await refreshSearchText(trx, institution.id, patron.id);
  return rows.length;
}
