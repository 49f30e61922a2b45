/** Content-Type (and Content-Disposition) values: type/subtype with parameters (RFC 2045, 2231). */
export interface ContentType {
  /** lower-case "type/subtype" */
  mediaType: string;
  type: string;
  subtype: string;
  /** parameters with lower-case names */
  params: Record<string, string>;
}

/** Parses a header value; a missing or unreadable value is text/plain (RFC 2045 §5.2). */
export function parseContentType(value: string | undefined): ContentType {
  const fallback: ContentType = { mediaType: 'text/plain', type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } };
  if (!value) return fallback;
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*\/\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(.*)$/s.exec(value);
  if (!m) return fallback;
  const type = m[1]!.toLowerCase();
  const subtype = m[2]!.toLowerCase();
  return { mediaType: `${type}/${subtype}`, type, subtype, params: parseParams(m[3]!) };
}

/** Parses `; name=value; name="quoted"` lists, including RFC 2231 continuations. */
export function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  const continued: Record<string, string[]> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ';' || text[i] === ' ' || text[i] === '\t')) i++;
    const nameMatch = /^([^=;\s]+)\s*=\s*/.exec(text.slice(i));
    if (!nameMatch) {
      const next = text.indexOf(';', i);
      if (next < 0) break;
      i = next + 1;
      continue;
    }
    const name = nameMatch[1]!.toLowerCase();
    i += nameMatch[0].length;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++;
    } else {
      const m = /^[^;\s]*/.exec(text.slice(i))!;
      value = m[0];
      i += value.length;
    }
    // name*0, name*1* (continuations) and name* (one extended value, RFC 2231 §4)
    const cont = /^(.*?)(?:\*(\d+))?(\*)?$/.exec(name);
    if (cont && (cont[2] !== undefined || cont[3] !== undefined)) {
      const base = cont[1]!;
      const idx = cont[2] === undefined ? 0 : Number(cont[2]);
      (continued[base] ??= [])[idx] = cont[3] !== undefined ? decode2231(value, idx === 0) : value;
    } else if (!(name in params)) {
      params[name] = value;
    }
  }
  for (const [base, parts] of Object.entries(continued)) if (!(base in params)) params[base] = parts.join('');
  return params;
}

function decode2231(value: string, first: boolean): string {
  let v = value;
  let charset = 'utf-8';
  if (first) {
    const m = /^([^']*)'[^']*'(.*)$/.exec(value);
    if (m) {
      charset = m[1]!.toLowerCase() || 'utf-8';
      v = m[2]!;
    }
  }
  const bytes = Buffer.from(v.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return charset === 'iso-8859-1' || charset === 'us-ascii' ? bytes.toString('latin1') : bytes.toString('utf8');
}
