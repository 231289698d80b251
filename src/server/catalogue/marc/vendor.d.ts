// Types for the two untyped MARC packages, covering only what the reader uses.

declare module 'marc4js' {
  import type { Transform } from 'node:stream';

  namespace marc4js {
    interface Subfield {
      code: string | undefined;
      data: string | undefined;
    }
    interface ControlField {
      tag: string | undefined;
      data: string | undefined;
    }
    interface DataField {
      tag: string | undefined;
      indicator1: string | undefined;
      indicator2: string | undefined;
      subfields: Subfield[];
    }
    interface Leader {
      marshal(): string;
    }
    interface Record {
      leader: Leader | undefined;
      controlFields: ControlField[];
      dataFields: DataField[];
    }
    interface ParseOptions {
      format: 'iso2709' | 'marcxml';
      /** ISO 2709 only: turns the bytes of a MARC-8 field or subfield into text. */
      marc8converter?: (bytes: number[], options: { G0?: number; G1?: number }) => string;
      /** MARCXML only: sax strict mode. */
      strict?: boolean;
    }
  }

  const marc4js: {
    parse(options: marc4js.ParseOptions): Transform;
  };
  export = marc4js;
}

declare module 'marc8/lib/marc8_mapping.js' {
  /** Code set (final byte of its escape sequence) -> code point -> [Unicode scalar, 1 if combining]. */
  export const CODESETS: Record<number, Record<number, [number, number]>>;
  /** Multibyte codes used by some vendors outside EACC. */
  export const ODD_MAP: Record<number, number>;
}
