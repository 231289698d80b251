import { describe, expect, it } from 'vitest';
import { localItems } from './local-holdings.ts';
import type { MarcDataField, MarcRecord } from './marc/record.ts';

const field = (tag: string, subfields: string): MarcDataField => ({
  tag,
  ind1: ' ',
  ind2: ' ',
  subfields: subfields
    .split('$')
    .slice(1)
    .map((s) => ({ code: s[0] as string, value: s.slice(1) })),
});
const record = (...fields: MarcDataField[]): MarcRecord => ({ leader: '00000nam a2200000 a 4500', fields });

describe('localItems', () => {
  it('reads SirsiDynix 999s (UVA): library, location, call number, barcode, item type', () => {
    const r = record(field('999', '$aF2235.3 .A144$wLC$iX000876011$lSTACKS$mALDERMAN$tBOOK'));
    expect(localItems(r)).toEqual([
      {
        tag: '999',
        libraryCode: 'ALDERMAN',
        locationCode: 'STACKS',
        callNumber: 'F2235.3 .A144',
        barcode: 'X000876011',
        itemType: 'BOOK',
        enumeration: '',
      },
    ]);
  });

  it('reads 949s (Laurentian) the same way, one copy per field', () => {
    const r = record(
      field('949', '$a3663$wLC$i30007006012214$rY$tSOUND$lHUNT-AUDIO$mHUNTINGTON$xPHONOREC'),
      field('949', '$a3663$i30007006012215$lHUNT-AUDIO$mHUNTINGTON'),
    );
    expect(localItems(r).map((i) => i.barcode)).toEqual(['30007006012214', '30007006012215']);
  });

  it('ignores Koha 999s, which hold record ids, not copies', () => {
    expect(localItems(record(field('999', '$c1$d1')))).toEqual([]);
  });

  it('reads 852 holdings: library, shelving location, call number, barcode', () => {
    const r = record(field('852', '$aBritish Library$bSTI$cBIPC$k(B) DIR$h912.21$p30001234'));
    expect(localItems(r)).toEqual([
      {
        tag: '852',
        libraryCode: 'STI',
        locationCode: 'BIPC',
        callNumber: '(B) DIR 912.21',
        barcode: '30001234',
        itemType: null,
        enumeration: '',
      },
    ]);
    expect(localItems(record(field('852', '$xuniversal pattern')))).toEqual([]);
  });

  it('reads Koha 952 items', () => {
    const r = record(field('952', '$aCPL$cGEN$oQA76.73 .P22$p39999000001$yBK$hv.2'));
    expect(localItems(r)).toEqual([
      {
        tag: '952',
        libraryCode: 'CPL',
        locationCode: 'GEN',
        callNumber: 'QA76.73 .P22',
        barcode: '39999000001',
        itemType: 'BK',
        enumeration: 'v.2',
      },
    ]);
  });
});
