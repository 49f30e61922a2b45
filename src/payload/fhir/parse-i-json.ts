/**
 * JSON read as I-JSON (RFC 7493) reads it: UTF-8 only, and an object with two members of the same name refused
 * (§2.3). JSON.parse keeps the last of two same-named members where another reader may keep the first, so a Bundle
 * with `"status": "draft", … "status": "active"` could mean one thing to the signer's software and another to ours;
 * JCS, over which a CDex signature is computed, takes I-JSON input only (RFC 8785 §3.1). Names are compared after
 * their escapes are decoded (`"a"` and `"\u0061"` are the same name). Pure.
 */

export type IJsonResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'malformed' }
  | { ok: false; reason: 'duplicate-member'; path: string };

/** A name shown in a path only when it looks like an element name: a path must not carry what was sent. */
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

interface Frame {
  object: boolean;
  /** the member names met so far (objects) */
  names: Set<string>;
  /** the last member name (objects) */
  name: string;
  /** the next item's index (arrays) */
  index: number;
  /** in an object, whether the next string is a member name */
  expectName: boolean;
}

/** Parses UTF-8 bytes (or text) as I-JSON; `root` names the top value in the path of a duplicate (`Bundle`). */
export function parseIJson(input: Buffer | string, root = '$'): IJsonResult {
  let text: string;
  let value: unknown;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const duplicate = findDuplicateMember(text, root);
  return duplicate === undefined ? { ok: true, value } : { ok: false, reason: 'duplicate-member', path: duplicate };
}

/** The path of the first member whose name its object already had, in text JSON.parse accepted; else undefined. */
function findDuplicateMember(text: string, root: string): string | undefined {
  // no object can have two members without a second quoted name: most texts with no `{` or one member are skipped fast
  if (text.indexOf('{') === -1) return undefined;
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = closingQuote(text, i);
      const top = stack[stack.length - 1];
      if (top?.object && top.expectName) {
        const raw = text.slice(i + 1, end);
        const name = raw.indexOf('\\') === -1 ? raw : (JSON.parse(text.slice(i, end + 1)) as string);
        if (top.names.has(name)) {
          top.name = name;
          return pathOf(stack, root);
        }
        top.names.add(name);
        top.name = name;
        top.expectName = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b /* { */) stack.push({ object: true, names: new Set(), name: '', index: 0, expectName: true });
    else if (c === 0x5b /* [ */) stack.push({ object: false, names: new Set(), name: '', index: 0, expectName: false });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.object) top.expectName = true;
      else if (top) top.index += 1;
    }
    i += 1;
  }
  return undefined;
}

/** The index of the quote closing the string that opens at `start` (the text is valid JSON). */
function closingQuote(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 0x5c; k -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
}

/** `Bundle.entry[2].resource.status`: the names of the enclosing members and the indexes of the enclosing arrays. */
function pathOf(stack: Frame[], root: string): string {
  let path = root;
  // the innermost frame is the object with the duplicate: its name is the last step
  for (const frame of stack) path += frame.object ? `.${ELEMENT_NAME.test(frame.name) ? frame.name : '*'}` : `[${frame.index}]`;
  return path;
}
