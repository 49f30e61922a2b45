import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectDirectoryFormat } from '../../src/directory/detect-directory-format.ts';
import { ANNUAIRE_SAMPLE, CSV_SAMPLE, FHIR_SAMPLE } from './directory-db.ts';

describe('detectDirectoryFormat', () => {
  it.each([
    ['a JSON object is a FHIR bundle', readFileSync(FHIR_SAMPLE, 'utf8'), 'fhir'],
    ['a JSON object after a BOM and blanks', '\uFEFF  \n{"resourceType":"Bundle"}', 'fhir'],
    ['a first line of 52 pipe-separated fields is the Annuaire extract', readFileSync(ANNUAIRE_SAMPLE, 'utf8'), 'annuaire'],
    ['anything else is CSV', readFileSync(CSV_SAMPLE, 'utf8'), 'csv'],
    ['a few pipes in a CSV header do not make an extract', 'identifiers,hub_for\nRPPS|1|2|3,x\n', 'csv'],
  ])('%s', (_rule, head, format) => {
    expect(detectDirectoryFormat(head)).toBe(format);
  });
});
