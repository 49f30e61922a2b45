import type { Command } from '../command.ts';
import { smimeOpenCommand } from './smime-open.ts';
import { smimeSealCommand } from './smime-seal.ts';

/** Every command of the CLI. Each lives in its own file. */
export const commands: Command[] = [
  smimeOpenCommand,
  smimeSealCommand,
];
