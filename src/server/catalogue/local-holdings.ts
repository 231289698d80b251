import { cleanText } from './bib-fields.ts';
import {
  dataFields,
  type MarcDataField,
  type MarcRecord,
  subfieldValue,
  subfieldValues,
} from './marc/record.ts';

/** One copy described by a record's local holdings field. */
export interface LocalItem {
  /** The field it came from: 852, 949, 952 or 999. */
  tag: string;
  libraryCode: string | null;
  locationCode: string | null;
  callNumber: string;
  barcode: string | null;
  /** The exporting system's item type (949/999 $t, 952 $y), matched against material types. */
  itemType: string | null;
  enumeration: string;
}

const value = (field: MarcDataField, code: string) => {
  const v = subfieldValue(field, code)?.trim();
  return v ? v : null;
};

/**
 * Copies from the local holdings fields the common exports use:
 *
 * - 852 (MARC holdings location): $b library, $c shelving location, $k $h $i $m call number,
 *   $p barcode, $3 materials (as enumeration). Needs $b, $h or $p.
 * - 949 and 999 as SirsiDynix writes them (UVA, Laurentian): $m library, $l location, $a call
 *   number, $i barcode, $t item type. Needs $i, or $a with $l or $m (Koha's 999 $c $d, record
 *   ids, does not count).
 * - 952 as Koha writes it: $a home library, $c shelving location, $o call number, $p barcode,
 *   $y item type, $h enumeration.
 */
export function localItems(record: MarcRecord): LocalItem[] {
  const items: LocalItem[] = [];
  for (const field of dataFields(record, '852', '949', '952', '999')) {
    if (field.tag === '852') {
      if (!value(field, 'b') && !value(field, 'h') && !value(field, 'p')) continue;
      items.push({
        tag: '852',
        libraryCode: value(field, 'b'),
        locationCode: value(field, 'c'),
        callNumber: cleanText(subfieldValues(field, 'k', 'h', 'i', 'm').join(' ')),
        barcode: value(field, 'p'),
        itemType: null,
        enumeration: value(field, '3') ?? '',
      });
    } else if (field.tag === '952') {
      if (!value(field, 'p') && !value(field, 'o')) continue;
      items.push({
        tag: '952',
        libraryCode: value(field, 'a'),
        locationCode: value(field, 'c'),
        callNumber: value(field, 'o') ?? '',
        barcode: value(field, 'p'),
        itemType: value(field, 'y'),
        enumeration: value(field, 'h') ?? '',
      });
    } else {
      const barcode = value(field, 'i');
      const callNumber = value(field, 'a');
      if (!barcode && !(callNumber && (value(field, 'l') || value(field, 'm')))) continue;
      items.push({
        tag: field.tag,
        libraryCode: value(field, 'm'),
        locationCode: value(field, 'l'),
        callNumber: callNumber ?? '',
        barcode,
        itemType: value(field, 't'),
        enumeration: '',
      });
    }
  }
  return items;
}
