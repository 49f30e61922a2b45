import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One option of a command, with the text its --help prints. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  description: string;
  /** placeholder shown in help, e.g. FILE */
  value?: string;
  required?: boolean;
}

export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  /** words after `txgate`, e.g. ['smime', 'open'] */
  path: string[];
  summary: string;
  /** a longer text for --help (exit codes, input and output) */
  details?: string;
  options: Record<string, OptionSpec>;
  /** positional arguments accepted, shown in help */
  positionals?: string;
  /** returns the exit code */
  run(values: OptionValues, positionals: string[], io: CommandIo): Promise<number>;
}

/** A usage error: printed with the command's help hint, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function helpText(cmd: Command): string {
  const lines = [`Usage: txgate ${cmd.path.join(' ')} [options]${cmd.positionals ? ` ${cmd.positionals}` : ''}`, '', cmd.summary];
  if (cmd.details) lines.push('', cmd.details.trimEnd());
  lines.push('', 'Options:');
  const entries = Object.entries(cmd.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    const notes = [spec.required ? 'required' : '', spec.multiple ? 'repeatable' : ''].filter(Boolean).join(', ');
    return [flag, `${spec.description}${notes ? ` (${notes})` : ''}`] as const;
  });
  entries.push(['-h, --help', 'show this help']);
  const width = Math.max(...entries.map(([f]) => f.length)) + 2;
  for (const [f, d] of entries) lines.push(`  ${f.padEnd(width)}${d}`);
  return `${lines.join('\n')}\n`;
}

/** Parses argv for a command; throws UsageError on unknown or missing options. */
export function parseCommandArgs(cmd: Command, argv: string[]): { values: OptionValues; positionals: string[]; help: boolean } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(cmd.options)) {
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as OptionValues;
  if (values.help) return { values, positionals: parsed.positionals, help: true };
  for (const [name, spec] of Object.entries(cmd.options)) {
    if (spec.required && values[name] === undefined) throw new UsageError(`missing required option --${name}`);
  }
  if (!cmd.positionals && parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  return { values, positionals: parsed.positionals, help: false };
}

/** Reads all of a stream. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Helpers to read typed option values. */
export function str(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function strs(values: OptionValues, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
