import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPatientDataKey, maskFreeText, redact, REDACTED } from '../../src/log/redact-log-fields.ts';

describe('isPatientDataKey', () => {
  it.each([
    'patient', 'Patient', 'patientName', 'patientIdentifier', 'name', 'names', 'given', 'family', 'birthDate', 'birthdate', 'birth',
    'identifier', 'identifiers', 'ins', 'INS', 'nir', 'cns', 'cpf', 'snils', 'mrn', 'telecom', 'phone', 'phones', 'address', 'addresses',
    'text', 'div', 'subject', 'content', 'body', 'question',
  ])('redacts a member named %s', (key) => {
    expect(isPatientDataKey(key)).toBe(true);
  });

  it.each([
    'message', 'request', 'task', 'outbox', 'claim', 'stage', 'state', 'code', 'kind', 'error', 'alert', 'attempt', 'host', 'port', 'baseUrl',
    'client', 'remoteAddress', 'expertAddress', 'requester', 'expert', 'insurer', 'signed', 'size', 'session', 'surname_of_nobody_x',
  ])('keeps a member named %s', (key) => {
    expect(isPatientDataKey(key)).toBe(false);
  });
});

describe('redact', () => {
  it('redacts patient data at any depth, inside objects and arrays, whatever the value', () => {
    const fields = {
      message: 'msg-1',
      request: { id: 'req-1', participants: [{ role: 'sender', patient: { name: [{ family: 'Dupont' }] } }, [{ nir: 1560412345678 }]] },
      subject: { reference: 'Patient/1' },
    };
    expect(JSON.parse(JSON.stringify(redact(fields)))).toEqual({
      message: 'msg-1',
      request: { id: 'req-1', participants: [{ role: 'sender', patient: REDACTED }, [{ nir: REDACTED }]] },
      subject: REDACTED,
    });
  });

  it('redacts the members of a FHIR Patient logged under any name', () => {
    const resource = {
      resourceType: 'Patient',
      id: 'p1',
      identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '2560412345678' }],
      name: [{ family: 'Dupont', given: ['Jeanne'] }],
      telecom: [{ system: 'phone', value: '+33 6 00 00 00 00' }],
      address: [{ line: ['12 rue de la Paix'], city: 'Paris' }],
      birthDate: '1956-04-12',
      text: { status: 'generated', div: '<div>Jeanne Dupont</div>' },
      gender: 'female',
    };
    const out = JSON.stringify(redact({ resource }));
    for (const value of ['2560412345678', 'Dupont', 'Jeanne', '+33', 'rue de la Paix', 'Paris', '1956-04-12']) expect(out).not.toContain(value);
    expect(out).toContain('"resourceType":"Patient"');
    expect(out).toContain('"gender":"female"');
  });

  it('keeps only the message of an Error (no stack, no cause, no extra properties)', () => {
    const err = Object.assign(new Error('connection refused', { cause: new Error('Dupont') }), { detail: 'Jeanne' });
    expect(redact({ error: err, nested: [{ e: new TypeError('bad') }] })).toEqual({ error: 'connection refused', nested: [{ e: 'bad' }] });
  });

  it('gives bytes as their length, dates as ISO text, big integers as text', () => {
    expect(redact({ raw: Buffer.from('PID|Dupont'), view: new Uint8Array(3), at: new Date(0), n: 2n ** 70n })).toEqual({
      raw: '[10 bytes]',
      view: '[3 bytes]',
      at: '1970-01-01T00:00:00.000Z',
      n: '1180591620717411303424',
    });
  });

  it('walks Maps and Sets, and objects through their toJSON', () => {
    const out = redact({ m: new Map<unknown, unknown>([['nir', '1'], ['state', 'ok']]), s: new Set([{ cpf: '1' }]), u: new URL('https://fhir.test/Task/1'), j: { toJSON: () => ({ patient: 'Dupont', id: 'x' }) } });
    expect(JSON.parse(JSON.stringify(out))).toEqual({ m: { nir: REDACTED, state: 'ok' }, s: [{ cpf: REDACTED }], u: 'https://fhir.test/Task/1', j: { patient: REDACTED, id: 'x' } });
  });

  it('cuts cycles, and values nested deeper than a log line needs', () => {
    const cyclic: Record<string, unknown> = { id: 'a' };
    cyclic.self = cyclic;
    expect(redact({ cyclic })).toEqual({ cyclic: { id: 'a', self: '[circular]' } });
    let deep: unknown = { patient: 'Dupont' };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const out = JSON.stringify(redact({ deep }));
    expect(out).toContain('[too deep]');
    expect(out).not.toContain('Dupont');
  });

  it('keeps an object shared by two members (not a cycle)', () => {
    const shared = { id: 'x' };
    expect(redact({ a: shared, b: [shared] })).toEqual({ a: { id: 'x' }, b: [{ id: 'x' }] });
  });

  it('does not change what it is given', () => {
    const fields = { request: { patient: 'Dupont' } };
    redact(fields);
    expect(fields).toEqual({ request: { patient: 'Dupont' } });
  });

  it('keeps a member named __proto__ as data', () => {
    const out = redact(JSON.parse('{"__proto__": {"patient": "Dupont", "id": "x"}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(out)).toBe(null);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"patient":"[redacted]","id":"x"}}');
  });
});

describe('maskFreeText', () => {
  it.each([
    ['what JSON.parse says of a body it cannot read', `Unexpected token 'J', "Jean Dupont"... is not valid JSON`, `Unexpected token ${REDACTED}, ${REDACTED}... is not valid JSON`],
    ['a quote left open at the end', 'bad value "Jean Dup', `bad value ${REDACTED}`],
    ['typographic and French quotes, back quotes', 'name “Jeanne” or «Dupont» or `x`', `name ${REDACTED} or ${REDACTED} or ${REDACTED}`],
    ['a NIR written with spaces, a CPF with dots', 'NIR 2 84 05 75 123 456 78, CPF 123.456.789-09', `NIR ${REDACTED}, CPF ${REDACTED}`],
    ['an apostrophe inside a word, kept', "the insurer's answer isn't there", "the insurer's answer isn't there"],
    ['short numbers, addresses and versions, kept', 'HTTP 503 after 30000 ms from 127.0.0.1:8443, TLS 1.2, attempt 3', 'HTTP 503 after 30000 ms from 127.0.0.1:8443, TLS 1.2, attempt 3'],
  ])('masks %s', (_, text, masked) => {
    expect(maskFreeText(text)).toBe(masked);
  });

  it('masks free text under error, reason, detail… at any depth, and the messages of errors, but no other member', () => {
    const out = redact({
      error: 'refused "Dupont"',
      stage: 'parse "kept"',
      nested: { reasons: 'x', detail: ['id 184057512345678', { deeper: 'NIR 184057512345678' }] },
      fault: new SyntaxError(`Unexpected token 'D', "Dupont" is not valid JSON`),
    });
    expect(out).toEqual({
      error: `refused ${REDACTED}`,
      stage: 'parse "kept"',
      nested: { reasons: 'x', detail: [`id ${REDACTED}`, { deeper: `NIR ${REDACTED}` }] },
      fault: `Unexpected token ${REDACTED}, ${REDACTED} is not valid JSON`,
    });
  });

  it('never lets a quoted value or a long identifier through', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }).filter((v) => !/["“”«»`']/.test(v)), fc.string(), fc.constantFrom(['"', '"'], ['«', '»'], ['`', '`'], [' \'', '\'']), (before, secret, after, [open, close]) => {
        const masked = maskFreeText(`${before.replace(/["“«`']/g, '')}${open}${secret}${close}${after}`);
        expect(masked.includes(`${open}${secret}${close}`)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[0-9]{6,20}$/), (before, digits) => {
        expect(maskFreeText(`${before.replace(/\d/g, '')} ${digits}`)).not.toContain(digits);
      }),
    );
  });
});

