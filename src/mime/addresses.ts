/** Extracts the addr-specs of an address-list header value ("Dr A <a@b>, c@d", groups, comments). */
export function parseAddressList(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let angle = false;
  let current = '';
  const flush = () => {
    const t = current.trim();
    if (t) {
      const m = /<([^<>]*)>/.exec(t);
      const addr = (m ? m[1]! : t.replace(/\([^)]*\)/g, '')).trim();
      const group = addr.lastIndexOf(':');
      const a = (group >= 0 && !addr.includes('@', group) ? '' : group >= 0 ? addr.slice(group + 1) : addr).replace(/;$/, '').trim();
      if (a.includes('@')) out.push(a);
    }
    current = '';
  };
  for (const ch of value) {
    if (quoted) {
      current += ch;
      if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === '<') angle = true;
    else if (ch === '>') angle = false;
    if ((ch === ',' || ch === ';') && depth === 0 && !angle) {
      flush();
      continue;
    }
    current += ch;
  }
  flush();
  return out;
}

/** Compares two e-mail addresses: the domain ignores case; so does the local part, as Direct peers do. */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
