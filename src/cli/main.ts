import { helpText, parseCommandArgs, UsageError, type Command, type CommandIo } from './command.ts';
import { commands } from './commands/index.ts';

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length)) + 2;
  const lines = ['Usage: txgate COMMAND [options]', '', 'txgate: a secure health-messaging gateway for tele-expertise.', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.path.join(' ').padEnd(width)}${c.summary}`);
  lines.push('', "Run 'txgate COMMAND --help' for a command's options.");
  return `${lines.join('\n')}\n`;
}

/** Finds the command with the longest matching path. */
function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { cmd: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(topHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    // a group word alone (e.g. `txgate smime`) lists its sub-commands
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0 && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      io.stdout.write(`Usage: txgate ${argv[0]} SUBCOMMAND [options]\n\nSubcommands:\n`);
      for (const c of group) io.stdout.write(`  ${c.path.join(' ').padEnd(28)}${c.summary}\n`);
      return argv.length === 1 ? 2 : 0;
    }
    io.stderr.write(`txgate: unknown command '${argv.join(' ')}'. Run 'txgate --help'.\n`);
    return 2;
  }
  const { cmd, rest } = found;
  try {
    const parsed = parseCommandArgs(cmd, rest);
    if (parsed.help) {
      io.stdout.write(helpText(cmd));
      return 0;
    }
    return await cmd.run(parsed.values, parsed.positionals, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`txgate ${cmd.path.join(' ')}: ${err.message}\nRun 'txgate ${cmd.path.join(' ')} --help'.\n`);
      return 2;
    }
    throw err;
  }
}

export async function main(): Promise<void> {
  // the reader went away (`txgate requests list | head`): what was asked for is printed, stop quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const io: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  try {
    process.exitCode = await runCli(process.argv.slice(2), io);
  } catch (err) {
    // a fault no command expected: one line, the stack only when asked (TXGATE_DEBUG=1)
    const e = err as Error;
    process.stderr.write(`txgate: internal error: ${process.env.TXGATE_DEBUG ? (e.stack ?? String(err)) : (e.message ?? String(err))}\n`);
    process.exitCode = 70;
  }
}
