import { DIRECTORY_FORMATS, type DirectoryFormat } from '../../directory/detect-directory-format.ts';
import { importDirectoryFile } from '../../directory/import-directory-file.ts';
import { openDatabase } from '../../store/open-database.ts';
import { flag, str, UsageError, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export const directoryImportCommand: Command = {
  path: ['directory', 'import'],
  summary: 'import practitioners: the Annuaire Santé extract, a FHIR bundle or a CSV (one transaction)',
  details: `FILE is read whole before anything is written, and stored in one transaction: an import never half-applies.
Formats: annuaire (PS_LibreAcces_Personne_activite, pipe-separated, read by column position), fhir (a Bundle of
Practitioner, PractitionerRole, Organization), csv (columns: see docs/decisions/0016-practitioner-directory.md).
Without --format the format is found from the content. A person already known (by an identifier, else an address)
is updated in place. Malformed rows are skipped and listed with their line numbers.
Exit codes: 0 imported (even with rows skipped), 1 the file could not be read (nothing written), 2 usage.`,
  positionals: 'FILE',
  options: {
    format: { type: 'string', value: 'FORMAT', description: `the file's format: ${DIRECTORY_FORMATS.join(', ')} (default: from its content)` },
    ...DATABASE_OPTIONS,
    json: { type: 'boolean', description: 'the report as one JSON object' },
  },
  async run(values, positionals, io) {
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('give one FILE');
    const format = str(values, 'format');
    if (format !== undefined && !(DIRECTORY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format wants one of ${DIRECTORY_FORMATS.join(', ')}`);
    const db = openDatabase(databasePathFrom(values));
    try {
      const r = importDirectoryFile(db, file, { ...(format ? { format: format as DirectoryFormat } : {}), now: new Date() });
      if (!r.ok) {
        for (const p of r.problems) io.stderr.write(`txgate directory import: ${p.path ? `${p.path}: ` : ''}${p.code} ${p.message}\n`);
        io.stderr.write('nothing was imported\n');
        return 1;
      }
      const v = r.value;
      const skipped = v.problems.filter((p) => p.code !== 'CSV_UNKNOWN_COLUMN' && p.code !== 'DIRECTORY_SPOKE_UNKNOWN');
      if (flag(values, 'json')) {
        io.stdout.write(`${JSON.stringify({ format: v.format, rows: v.rows, people: v.entries, created: v.created, updated: v.updated, skipped: skipped.length, problems: v.problems })}\n`);
        return 0;
      }
      io.stdout.write(`${file} (${v.format}): ${v.rows} rows, ${v.entries} people: ${v.created} created, ${v.updated} updated, ${skipped.length} skipped\n`);
      for (const p of v.problems) io.stdout.write(`  ${p.line > 0 ? `line ${p.line}` : (p.path ?? '-')}: ${p.code} ${p.message}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
