/** Runs one CLI command in this process, as the real binary would (its options parsed, stdin given), capturing stdout. */
import { PassThrough } from 'node:stream';
import { parseCommandArgs, type Command } from '../../src/cli/command.ts';

export async function runCommand(command: Command, args: string[], input: Buffer | string = ''): Promise<{ status: number; stdout: string }> {
  const { values, positionals } = parseCommandArgs(command, args);
  const stdin = new PassThrough();
  stdin.end(input);
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const status = await command.run(values, positionals, { stdin, stdout, stderr: new PassThrough() });
  return { status, stdout: Buffer.concat(chunks).toString('utf8') };
}
