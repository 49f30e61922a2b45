/**
 * The lines of a text file, read in chunks (the national Annuaire extract is larger than a string can hold).
 * UTF-8, a BOM dropped; a file whose first chunk is not valid UTF-8 is read as Latin-1 (older extracts).
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 1 << 20;

export function* readFileLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let decoder: StringDecoder | undefined;
    let rest = '';
    let first = true;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      if (!decoder) {
        const lastNewline = chunk.lastIndexOf(0x0a);
        decoder = new StringDecoder(isUtf8(lastNewline >= 0 ? chunk.subarray(0, lastNewline) : chunk) ? 'utf8' : 'latin1');
      }
      let text = rest + decoder.write(chunk);
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const l of lines) yield l.endsWith('\r') ? l.slice(0, -1) : l;
    }
    rest += decoder?.end() ?? '';
    if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  } finally {
    closeSync(fd);
  }
}

/** A whole (small) text file, decoded the same way. */
export function readTextFile(bytes: Buffer): string {
  const text = isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
  return text.replace(/^\uFEFF/, '');
}
