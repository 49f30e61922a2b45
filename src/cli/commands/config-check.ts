import { formatProblems, loadConfig, selectConfigFile } from '../../config/load-config.ts';
import { str, UsageError, type Command } from '../command.ts';

export const configCheckCommand: Command = {
  path: ['config', 'check'],
  summary: 'check a configuration file and print the effective configuration',
  details: `Loads the file as the daemon does: JSON, TXGATE_ environment overrides (TXGATE_ + the setting path in
SCREAMING_SNAKE, e.g. TXGATE_SMTP_PORT=2526), the schema, and the files it names.
Exit 0: prints 'ok' then the effective configuration as JSON (defaults applied, paths absolute).
Exit 1: prints every problem on standard error, one per line ('config smtp.port: must be ≤ 65535').
Exit 2: usage error.`,
  options: {
    config: { type: 'string', value: 'FILE', description: 'the configuration file (default: $TXGATE_CONFIG)' },
  },
  async run(values, _positionals, io) {
    const file = selectConfigFile(str(values, 'config'));
    if (!file) throw new UsageError('give --config FILE (or set TXGATE_CONFIG)');
    const loaded = loadConfig(file);
    if (!loaded.ok) {
      io.stderr.write(`${formatProblems(loaded.problems)}\n`);
      return 1;
    }
    io.stdout.write(`ok\n${JSON.stringify(loaded.value, null, 2)}\n`);
    return 0;
  },
};
