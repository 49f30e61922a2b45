import { isDay } from '../../directory/directory-entry.ts';
import { searchPractitioners } from '../../store/directory.ts';
import { openDatabase } from '../../store/open-database.ts';
import { flag, str, UsageError, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';
import { nameText, recordJson } from './directory-show.ts';

/** Today in this machine's time zone, YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export const directorySearchCommand: Command = {
  path: ['directory', 'search'],
  summary: 'list practitioners of a specialty, optionally only those available on a day',
  details: `--specialty takes a code (any code system) or SYSTEM|CODE. --available keeps the active practitioners who are not
absent that DAY (default: today) and whose open requests are below their capacity.`,
  positionals: '[DAY]',
  options: {
    specialty: { type: 'string', value: 'CODE', description: 'a specialty code (e.g. SM04), or SYSTEM|CODE' },
    available: { type: 'boolean', description: 'only those available on DAY (YYYY-MM-DD, default today)' },
    limit: { type: 'string', value: 'N', description: 'how many, by family name (default 50)' },
    ...DATABASE_OPTIONS,
    json: { type: 'boolean', description: 'one JSON object per line' },
  },
  async run(values, positionals, io) {
    const available = flag(values, 'available');
    if (positionals.length > 1 || (positionals.length === 1 && !available)) throw new UsageError('a DAY goes after --available');
    const day = positionals[0] ?? today();
    if (!isDay(day)) throw new UsageError('DAY wants YYYY-MM-DD');
    const limitText = str(values, 'limit');
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit wants a positive whole number');
    const specialtyText = str(values, 'specialty');
    const bar = specialtyText?.lastIndexOf('|') ?? -1;
    const specialty = specialtyText === undefined ? undefined : bar > 0 ? { system: specialtyText.slice(0, bar), code: specialtyText.slice(bar + 1) } : { code: specialtyText };
    const db = openDatabase(databasePathFrom(values));
    try {
      const found = searchPractitioners(db, { ...(specialty ? { specialty } : {}), ...(available ? { available: { day } } : {}), limit });
      if (flag(values, 'json')) {
        for (const p of found) io.stdout.write(`${JSON.stringify(recordJson(p))}\n`);
        return 0;
      }
      io.stdout.write(`${'ID'.padEnd(28)}${'NAME'.padEnd(30)}${'PROF'.padEnd(6)}${'SPECIALTIES'.padEnd(18)}${'LOAD'.padEnd(8)}ADDRESS\n`);
      for (const p of found) {
        const load = `${p.openRequests}/${p.capacity ?? '-'}`;
        io.stdout.write(`${p.id.padEnd(28)}${nameText(p).slice(0, 28).padEnd(30)}${(p.profession?.code ?? '').padEnd(6)}${p.specialties.map((s) => s.code).join(',').slice(0, 16).padEnd(18)}${load.padEnd(8)}${p.addresses[0] ?? ''}\n`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
