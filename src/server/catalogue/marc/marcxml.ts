import { fromMarc4js, type MarcReadResult, parseWithMarc4js } from './read-result.ts';
import { firstInvalidUtf8 } from './utf8.ts';

/**
 * MARCXML. The records are parsed by marc4js (sax, namespace-aware, strict). This module
 * frames the document at its `<record>` elements first and gives marc4js one record at a time,
 * wrapped in the document's own root start tag so namespace prefixes stay bound. That way a
 * record that is not well-formed XML (a control character XML 1.0 forbids, bytes that are not
 * UTF-8, a broken tag) is reported with its record number and line, and the records after it
 * still load: a whole-document parser stops at the first such error.
 */

const RECORD_START = /<(?:([A-Za-z_][\w.-]*):)?record(?=[\s>/])/g;
/** Where the first character XML 1.0 does not allow is (C0 controls other than tab, LF, CR). */
function firstForbiddenXmlChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) return i;
  }
  return -1;
}

interface RootElement {
  name: string;
  startTag: string;
}

/** The document element's start tag (after the declaration, comments and doctype). */
function rootElement(text: string): RootElement | undefined {
  const pattern = /<(\?[\s\S]*?\?>|!--[\s\S]*?-->|![^>]*>|([A-Za-z_][\w.:-]*)[^>]*>)/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[2]) return { name: m[2], startTag: m[0].replace(/\/>$/, '>') };
  }
  return undefined;
}

function lineColumn(text: string, from: number, to: number, line: number): { line: number; column: number } {
  let l = line;
  let lastBreak = -1;
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) === 10) {
      l++;
      lastBreak = i;
    }
  }
  return { line: l, column: lastBreak >= 0 ? to - lastBreak : to - from + 1 };
}

/** Reads the records of a MARCXML document (a `<collection>` or a single `<record>`). */
export async function* readMarcxml(bytes: Buffer): AsyncGenerator<MarcReadResult> {
  // latin1 maps each byte to one character, so string indexes are byte offsets here.
  const text = bytes.toString('latin1');
  const declaration = /^\uFEFF?\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(
    text.replace(/^\xEF\xBB\xBF/, ''),
  );
  if (declaration?.[1] && !/^utf-?8$/i.test(declaration[1])) {
    yield {
      position: 1,
      offset: 0,
      line: 1,
      error: `the document is in ${declaration[1]}; only UTF-8 MARCXML is read`,
      warnings: [],
    };
    return;
  }
  const root = rootElement(text);
  if (!root) {
    yield { position: 1, offset: 0, line: 1, error: 'no XML element found', warnings: [] };
    return;
  }
  const rootIsRecord = root.name.replace(/^.*:/, '') === 'record';
  const wrapStart = root.startTag.replace(/[\r\n\t]/g, ' ');
  const wrapEnd = `</${root.name}>`;

  let position = 0;
  let line = 1;
  let scannedTo = 0;
  RECORD_START.lastIndex = 0;
  for (let m = RECORD_START.exec(text); m; m = RECORD_START.exec(text)) {
    const start = m.index;
    ({ line } = lineColumn(text, scannedTo, start, line));
    scannedTo = start;
    position++;
    const prefix = m[1] ? `${m[1]}:` : '';
    const closeTag = new RegExp(`</${prefix.replace(/\./g, '\\.')}record\\s*>`, 'g');
    closeTag.lastIndex = start;
    const close = closeTag.exec(text);
    const nextStart = text.indexOf(`<${prefix}record`, start + 1);
    if (!close || (nextStart >= 0 && nextStart < close.index)) {
      yield {
        position,
        offset: start,
        line,
        error: 'not well-formed XML: the record element is not closed',
        warnings: [],
      };
      continue;
    }
    const end = close.index + close[0].length;
    RECORD_START.lastIndex = end;
    yield await decodeRecord(bytes.subarray(start, end), { position, offset: start, line });
  }
  if (position === 0)
    yield { position: 1, offset: 0, line: 1, error: 'no <record> element found', warnings: [] };

  async function decodeRecord(
    recordBytes: Buffer,
    where: { position: number; offset: number; line: number },
  ): Promise<MarcReadResult> {
    const fail = (error: string): MarcReadResult => ({ ...where, error, warnings: [] });
    const bad = firstInvalidUtf8(recordBytes);
    if (bad >= 0) {
      const at = lineColumn(text, where.offset, where.offset + bad, where.line);
      return fail(
        `not well-formed XML: bytes that are not UTF-8 at byte ${where.offset + bad} (line ${at.line})`,
      );
    }
    const recordText = recordBytes.toString('utf8');
    const forbidden = firstForbiddenXmlChar(recordText);
    if (forbidden >= 0) {
      const before = Buffer.byteLength(recordText.slice(0, forbidden));
      const at = lineColumn(text, where.offset, where.offset + before, where.line);
      const code = recordText.charCodeAt(forbidden).toString(16).toUpperCase().padStart(4, '0');
      return fail(
        `not well-formed XML: character U+${code} is not allowed in XML 1.0 (line ${at.line}, column ${at.column})`,
      );
    }
    let parsed: Awaited<ReturnType<typeof parseWithMarc4js>>;
    try {
      parsed = await parseWithMarc4js(rootIsRecord ? recordText : `${wrapStart}${recordText}${wrapEnd}`, {
        format: 'marcxml',
        strict: true,
      });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const saxLine = /Line: (\d+)/.exec(message);
      const lineNote = saxLine ? ` (line ${where.line + Number(saxLine[1])})` : '';
      return fail(`not well-formed XML: ${message.split('\n')[0]}${lineNote}`);
    }
    const [record] = parsed;
    if (!record || parsed.length !== 1) return fail('the record element holds no MARC record');
    try {
      const leader = record.leader?.marshal();
      if (!leader) return fail('the record has no leader');
      return { ...where, record: fromMarc4js(record, leader), warnings: [] };
    } catch (error) {
      return fail((error as Error).message);
    }
  }
}
