import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Level, type Logger } from '../../src/log/logger.ts';

/** A logger writing to an array: the raw chunks passed to `write`, one per call. */
function capture(minLevel?: Level, base?: Record<string, unknown>): { log: Logger; chunks: string[]; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const log = createLogger((line) => chunks.push(line), minLevel, base);
  return { log, chunks, lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>) };
}

const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];

describe('createLogger', () => {
  it('writes one JSON object per line: level as a label, ISO time, msg, the fields', () => {
    const { log, chunks, lines } = capture();
    log.info('fhir api listening', { host: '127.0.0.1', port: 8443, baseUrl: 'https://localhost:8443/fhir' });
    log.warn('delivery: will retry', { outbox: 'out-1', message: 'msg-1', code: 'SMTP_TEMPFAIL' });
    expect(chunks).toHaveLength(2);
    for (const c of chunks) {
      expect(c.endsWith('\n')).toBe(true);
      expect(c.slice(0, -1)).not.toContain('\n');
      expect(c.startsWith('{')).toBe(true);
    }
    const [first, second] = lines();
    expect(first).toEqual({ level: 'info', time: expect.any(String), msg: 'fhir api listening', host: '127.0.0.1', port: 8443, baseUrl: 'https://localhost:8443/fhir' });
    expect(new Date(first!.time as string).toISOString()).toBe(first!.time);
    expect(second).toMatchObject({ level: 'warn', msg: 'delivery: will retry', outbox: 'out-1', message: 'msg-1', code: 'SMTP_TEMPFAIL' });
    // what the log readers (test/e2e/serve-lifecycle.test.ts, bench/fhir.ts) look for
    expect(chunks[0]).toContain('"msg":"fhir api listening"');
  });

  it('writes a line synchronously: it is there as soon as the call returns', () => {
    const { log, chunks } = capture();
    log.error('stopping');
    expect(chunks).toHaveLength(1);
  });

  describe.each(LEVELS)('at minimum level %s', (minLevel) => {
    it.each(LEVELS)('a %s line is written only when at or above the minimum', (level) => {
      const { log, chunks, lines } = capture(minLevel);
      log[level]('a line');
      const expected = LEVELS.indexOf(level) >= LEVELS.indexOf(minLevel);
      expect(chunks).toHaveLength(expected ? 1 : 0);
      if (expected) expect(lines()[0]!.level).toBe(level);
    });
  });

  it('logs at info and above by default', () => {
    const { log, lines } = capture();
    for (const level of LEVELS) log[level](level);
    expect(lines().map((l) => l.msg)).toEqual(['info', 'warn', 'error']);
  });

  it('adds the base fields to every line, the call fields winning, patient data in the base redacted too', () => {
    const { log, lines } = capture('info', { service: 'txgate', node: 'a', patient: 'Dupont' });
    log.info('one');
    log.info('two', { node: 'b' });
    expect(lines()).toEqual([
      { level: 'info', time: expect.any(String), msg: 'one', service: 'txgate', node: 'a', patient: '[redacted]' },
      { level: 'info', time: expect.any(String), msg: 'two', service: 'txgate', node: 'b', patient: '[redacted]' },
    ]);
  });

  it('redacts a patient inside an array inside an object', () => {
    const { log, chunks, lines } = capture();
    log.info('step done', { message: 'msg-1', request: { id: 'req-1', entries: [{ kind: 'ServiceRequest' }, { patient: { name: 'Jeanne Dupont', nir: '2560412345678' } }] } });
    expect(chunks[0]).not.toContain('Dupont');
    expect(chunks[0]).not.toContain('2560412345678');
    expect(lines()[0]).toMatchObject({ message: 'msg-1', request: { id: 'req-1', entries: [{ kind: 'ServiceRequest' }, { patient: '[redacted]' }] } });
  });

  it('gives an Error field as its message only', () => {
    const { log, chunks, lines } = capture();
    const err = new Error('connect ECONNREFUSED 127.0.0.1:25');
    log.error('mdn sweep error', { error: err, err });
    expect(lines()[0]).toMatchObject({ error: 'connect ECONNREFUSED 127.0.0.1:25', err: 'connect ECONNREFUSED 127.0.0.1:25' });
    expect(chunks[0]).not.toContain('stack');
    expect(chunks[0]).not.toContain('at ');
  });

  it('keeps the line its own level, time and msg: a field of that name is written as _<name>', () => {
    const { log, chunks, lines } = capture();
    log.warn('the message', { msg: 'a field', level: 'a field', time: 0 });
    expect(lines()[0]).toEqual({ level: 'warn', time: expect.any(String), msg: 'the message', _msg: 'a field', _level: 'a field', _time: 0 });
    expect(chunks[0]!.match(/"msg":/g)).toHaveLength(1);
  });

  it('writes fields named like members of Object.prototype, at the top level and below', () => {
    const { log, lines } = capture();
    log.info('odd names', { valueOf: 1, toString: 'x', constructor: 'y', inner: { valueOf: 2, toString: 'z' }, ...(JSON.parse('{"__proto__": {"id": "p"}}') as object) });
    expect(lines()[0]).toEqual({ level: 'info', time: expect.any(String), msg: 'odd names', _valueOf: 1, _toString: 'x', _constructor: 'y', inner: { valueOf: 2, toString: 'z' }, ___proto__: { id: 'p' } });
  });

  it('still writes the line when the fields cannot be read', () => {
    const { log, lines } = capture();
    const bad = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('no'); } });
    log.warn('odd fields', { bad });
    expect(lines()[0]).toMatchObject({ level: 'warn', msg: 'odd fields', fields: '[unreadable]' });
  });

  it('silentLogger writes nothing and accepts every call', () => {
    for (const level of LEVELS) expect(() => silentLogger[level]('x', { patient: 'Dupont' })).not.toThrow();
  });

  /** Every string in a parsed line, keys included. */
  function strings(v: unknown): string[] {
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.flatMap(strings);
    if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
    return [];
  }

  it('never writes the value of a member named patient, at whatever depth it is nested', () => {
    const key = fc.stringMatching(/^[a-z]{1,6}$/);
    const noise = fc.dictionary(key, fc.oneof(fc.integer(), fc.boolean(), fc.constantFrom('ok', 'x', '')), { maxKeys: 3 });
    const step = fc.oneof(
      fc.record({ kind: fc.constant('key' as const), key, noise }),
      fc.record({ kind: fc.constant('index' as const), before: fc.array(noise, { maxLength: 2 }), after: fc.array(noise, { maxLength: 2 }) }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), noise, fc.array(step, { maxLength: 40 }), fc.constantFrom(...LEVELS), (value, innermost, path, level) => {
        const secret = `«${value}»`;
        let built: unknown = { ...innermost, patient: secret };
        for (const s of path) built = s.kind === 'key' ? { ...s.noise, [s.key]: built } : [...s.before, built, ...s.after];
        const fields = Array.isArray(built) ? { data: built } : (built as Record<string, unknown>);
        const { log, chunks } = capture('debug');
        log[level]('a line', fields);
        expect(chunks).toHaveLength(1);
        const line = chunks[0]!;
        expect(line).not.toContain(JSON.stringify(secret).slice(1, -1));
        expect(strings(JSON.parse(line)).some((s) => s.includes(secret))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
