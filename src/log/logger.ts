/**
 * Logs as JSON lines through pino: {"level":"info","time":"<ISO>",…fields,"msg":"…"}, one object per line, written
 * synchronously to the given `write` (a crash loses no line already logged). Fields named like patient data are
 * redacted here, at any depth, before pino sees them, whatever a caller passes (the pipeline logs ids and codes,
 * never content). See docs/decisions/0022-logging-with-pino.md.
 */
import { pino } from 'pino';
import { redact } from './redact-log-fields.ts';

export { redact } from './redact-log-fields.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Top-level names a field cannot have, kept as `_<name>` instead: the keys the line itself writes (else written
 * twice), and Object.prototype's members (pino looks top-level keys up in plain objects: a field named `valueOf`
 * or `__proto__` makes it throw, one named `toString` or `constructor` gives a line that is not JSON).
 */
const RESERVED = new Set(['level', 'time', 'msg', ...Object.getOwnPropertyNames(Object.prototype)]);

/** The fields of one line: base, then the call's own (winning over base), redacted, reserved names moved aside. */
function lineFields(base: Record<string, unknown>, fields: Record<string, unknown> | undefined): Record<string, unknown> {
  let own: Record<string, unknown>;
  try {
    own = fields ? redact(fields) : {};
  } catch {
    // a getter that throws, a proxy…: the line is still written, without the fields
    own = { fields: '[unreadable]' };
  }
  const merged: Record<string, unknown> = { ...base, ...own };
  if (!Object.keys(merged).some((k) => RESERVED.has(k))) return merged;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(merged)) Object.defineProperty(out, RESERVED.has(k) ? `_${k}` : k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

export function createLogger(write: (line: string) => void, minLevel: Level = 'info', base: Record<string, unknown> = {}): Logger {
  const safeBase = redact(base);
  const p = pino(
    {
      level: minLevel,
      // no pid/hostname: the base fields are the caller's
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
    },
    { write: (line: string) => write(line) },
  );
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (!p.isLevelEnabled(level)) return;
    p[level](lineFields(safeBase, fields), msg);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
