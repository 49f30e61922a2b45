/** Which import format a directory file is in, from its first bytes. */
import { ANNUAIRE_COLUMN_COUNT } from './parse-annuaire-extract.ts';

export const DIRECTORY_FORMATS = ['annuaire', 'fhir', 'csv'] as const;
export type DirectoryFormat = (typeof DIRECTORY_FORMATS)[number];

/**
 * A JSON object is a FHIR bundle; a first line of at least 52 pipe-separated fields is the Annuaire Santé
 * extract; anything else is read as CSV.
 */
export function detectDirectoryFormat(head: string): DirectoryFormat {
  const text = head.replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(text)) return 'fhir';
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  if (first.split('|').length >= ANNUAIRE_COLUMN_COUNT) return 'annuaire';
  return 'csv';
}
