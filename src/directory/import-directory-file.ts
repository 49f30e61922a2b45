/**
 * Imports a directory file into the database: reads it (the Annuaire extract line by line, CSV and FHIR whole),
 * parses it, then stores every readable entry in one transaction. A file that cannot be read at all (missing, not
 * the format, no header) writes nothing and gives the problems; malformed rows are skipped and reported.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { fail, ok, type Result } from '../errors/result.ts';
import { storeDirectoryEntries } from '../store/directory.ts';
import type { Db } from '../store/open-database.ts';
import { detectDirectoryFormat, type DirectoryFormat } from './detect-directory-format.ts';
import type { ImportProblem, ParsedDirectory } from './directory-entry.ts';
import { parseAnnuaireExtract } from './parse-annuaire-extract.ts';
import { parseDirectoryCsv } from './parse-directory-csv.ts';
import { parseDirectoryFhir } from './parse-directory-fhir.ts';
import { readFileLines, readTextFile } from './read-file-lines.ts';

export interface DirectoryImportReport {
  format: DirectoryFormat;
  /** rows (Annuaire, CSV) or resources (FHIR) read */
  rows: number;
  /** people read (several Annuaire rows make one) */
  entries: number;
  created: number;
  updated: number;
  /** rows and entries skipped, with their line numbers, and remarks */
  problems: ImportProblem[];
}

function head(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return readTextFile(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses a directory file (no database): the format given or detected from its content. */
export function readDirectoryFile(path: string, format?: DirectoryFormat): Result<ParsedDirectory & { format: DirectoryFormat }> {
  let detected: DirectoryFormat;
  try {
    detected = format ?? detectDirectoryFormat(head(path));
  } catch (err) {
    return fail({ code: 'DIRECTORY_FILE_UNREADABLE', path: basename(path), message: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
  let parsed: Result<ParsedDirectory>;
  try {
    if (detected === 'annuaire') parsed = parseAnnuaireExtract(readFileLines(path));
    else {
      const text = readTextFile(readFileSync(path));
      parsed = detected === 'fhir' ? parseDirectoryFhir(text) : parseDirectoryCsv(text);
    }
  } catch (err) {
    return fail({ code: 'DIRECTORY_FILE_UNREADABLE', path: basename(path), message: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
  return parsed.ok ? ok({ ...parsed.value, format: detected }) : parsed;
}

/** Reads, parses and stores a directory file in one transaction. */
export function importDirectoryFile(db: Db, path: string, o: { format?: DirectoryFormat; now: Date }): Result<DirectoryImportReport> {
  const read = readDirectoryFile(path, o.format);
  if (!read.ok) return read;
  const { entries, problems, rows, format } = read.value;
  const stored = storeDirectoryEntries(db, entries, `${format}:${basename(path)}`, o.now);
  return ok({
    format,
    rows,
    entries: entries.length,
    created: stored.created,
    updated: stored.updated,
    problems: [...problems, ...stored.problems].sort((a, b) => a.line - b.line),
  });
}
