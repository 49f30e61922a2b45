import type { Command } from '../command.ts';

/** Every command of the CLI. Each lives in its own file. */
export const commands: Command[] = [];
