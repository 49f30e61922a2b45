import { existsSync } from 'node:fs';
import { formatProblems, loadConfig } from '../config/load-config.ts';
import { str, UsageError, type OptionSpec, type OptionValues } from './command.ts';

/** The options of an operator command that reads the database: --config, or --db. */
export const DATABASE_OPTIONS: Record<'config' | 'db', OptionSpec> = {
  config: { type: 'string', value: 'FILE', description: 'the configuration file (default: $TXGATE_CONFIG)' },
  db: { type: 'string', value: 'FILE', description: 'the database file, instead of --config' },
};

/** The database file of an operator command: --db, or the one --config (or $TXGATE_CONFIG) names. */
export function databasePathFrom(values: OptionValues): string {
  const db = str(values, 'db');
  if (db) {
    if (!existsSync(db)) throw new UsageError(`no database at ${db}`);
    return db;
  }
  const file = str(values, 'config') ?? process.env.TXGATE_CONFIG;
  if (!file) throw new UsageError('give --config FILE or --db FILE');
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new UsageError(formatProblems(loaded.problems));
  return loaded.value.database.path;
}
