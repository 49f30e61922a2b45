/**
 * CSV records (RFC 4180): comma-separated fields, a field in double quotes may hold commas, line breaks and
 * doubled quotes (""). Lines end in CRLF or LF. Each record carries the line it starts on.
 */

export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvRead = { ok: true; records: CsvRecord[] } | { ok: false; line: number; message: string };

export function readCsvRecords(text: string, delimiter = ','): CsvRead {
  const records: CsvRecord[] = [];
  const s = text.replace(/^\uFEFF/, '');
  let line = 1;
  let i = 0;
  while (i < s.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let endOfRecord = false;
    while (!endOfRecord) {
      if (s[i] === '"') {
        // a quoted field, up to its closing quote
        i++;
        for (;;) {
          if (i >= s.length) return { ok: false, line: start, message: 'a quoted field is not closed' };
          const c = s[i]!;
          if (c === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        // after the closing quote: a delimiter, the end of the line or of the text
        if (i < s.length && s[i] !== delimiter && s[i] !== '\n' && !(s[i] === '\r' && s[i + 1] === '\n')) {
          return { ok: false, line, message: 'text after a closing quote' };
        }
      } else {
        while (i < s.length && s[i] !== delimiter && s[i] !== '\n' && !(s[i] === '\r' && s[i + 1] === '\n')) field += s[i++];
      }
      fields.push(field);
      field = '';
      if (i >= s.length) endOfRecord = true;
      else if (s[i] === delimiter) i++;
      else {
        i += s[i] === '\r' ? 2 : 1;
        line++;
        endOfRecord = true;
      }
    }
    // blank lines are not records
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields });
  }
  return { ok: true, records };
}
