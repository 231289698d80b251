/**
 * A MARC 21 record as stored in `bib_records.marc` (jsonb): the leader and the fields in
 * record order, control fields with a value and data fields with indicators and subfields.
 */
export interface MarcSubfield {
  code: string;
  value: string;
}

export interface MarcControlField {
  tag: string;
  value: string;
}

export interface MarcDataField {
  tag: string;
  ind1: string;
  ind2: string;
  subfields: MarcSubfield[];
}

export type MarcField = MarcControlField | MarcDataField;

export interface MarcRecord {
  leader: string;
  fields: MarcField[];
}

export const isDataField = (field: MarcField): field is MarcDataField => 'subfields' in field;

/** The first control field with this tag, if any. */
export function controlField(record: MarcRecord, tag: string): string | undefined {
  for (const field of record.fields) if (field.tag === tag && !isDataField(field)) return field.value;
  return undefined;
}

/** The data fields with any of these tags, in record order. */
export function dataFields(record: MarcRecord, ...tags: string[]): MarcDataField[] {
  return record.fields.filter((f): f is MarcDataField => isDataField(f) && tags.includes(f.tag));
}

/** The values of the subfields with any of these codes, in field order. */
export function subfieldValues(field: MarcDataField, ...codes: string[]): string[] {
  return field.subfields.filter((s) => codes.includes(s.code)).map((s) => s.value);
}

/** The first subfield value with this code. */
export function subfieldValue(field: MarcDataField, code: string): string | undefined {
  return field.subfields.find((s) => s.code === code)?.value;
}
