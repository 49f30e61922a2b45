/**
 * JSON.parse with a useful error: the line and column of the first syntax error and what was expected there.
 * (Node 20's messages sometimes give no position at all, and quote the whole input.)
 */
import { fail, ok, type Result } from '../errors/result.ts';

export interface JsonSyntaxError {
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units */
  column: number;
  reason: string;
}

class SyntaxStop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9A-Fa-f]{4}/y;

/** Walks the text as RFC 8259 JSON and throws SyntaxStop at the first error. */
function scanJson(text: string): void {
  let i = 0;
  const describe = (at: number) => (at >= text.length ? 'the end of the file' : `'${text[at]}'`);
  const stop = (reason: string): never => {
    throw new SyntaxStop(i, reason);
  };
  const skipSpace = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  const scanString = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) stop('unterminated string');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) stop('bad \\u escape in string');
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) {
          i += 2;
        } else {
          stop('bad escape in string');
        }
      } else if (c.charCodeAt(0) < 0x20) {
        stop(c === '\n' ? 'unterminated string (line break inside)' : 'control character in string');
      } else {
        i++;
      }
    }
  };
  const scanValue = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') stop(`expected a property name in double quotes, found ${describe(i)}`);
        scanString();
        skipSpace();
        if (text[i] !== ':') stop(`expected ':' after the property name, found ${describe(i)}`);
        i++;
        scanValue();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        stop(`expected ',' or '}' after a property value, found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        scanValue();
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        stop(`expected ',' or ']' after an array element, found ${describe(i)}`);
      }
    }
    if (c === '"') return scanString();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (c !== undefined && /[-0-9]/.test(c) && NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    stop(`expected a value, found ${describe(i)}`);
  };
  scanValue();
  skipSpace();
  if (i < text.length) stop(`unexpected ${describe(i)} after the end of the value`);
}

/** Line and column (1-based) of an offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}

/** Locates the first syntax error of a text that JSON.parse refused. */
export function locateJsonError(text: string): JsonSyntaxError {
  try {
    scanJson(text);
  } catch (err) {
    if (err instanceof SyntaxStop) return { ...positionOf(text, err.offset), reason: err.reason };
    throw err;
  }
  // JSON.parse refused what the scanner accepts: should not happen; report the start
  return { line: 1, column: 1, reason: 'not valid JSON' };
}

/** Parses JSON text (a leading byte order mark is allowed); a syntax error comes with its line and column. */
export function parseJsonText(text: string): Result<unknown> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return ok(JSON.parse(body) as unknown);
  } catch {
    const at = locateJsonError(body);
    return fail({ code: 'CONFIG_INVALID', path: '', message: `not valid JSON at line ${at.line}, column ${at.column}: ${at.reason}` });
  }
}
