import { mkdirSync } from 'node:fs';
import { runSmimeDemo } from '../../demo/run-smime-demo.ts';
import { flag, str, type Command } from '../command.ts';

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'show a tele-expertise request sealed by a doctor and opened by the gateway',
  details: 'Creates a development PKI in a fresh folder, seals a sample request, opens it, shows refused variants.\nExit 0 only if every step happened as expected.',
  options: {
    dir: { type: 'string', value: 'DIR', description: 'the workspace folder (default: a new temporary folder)' },
    json: { type: 'boolean', description: 'print the result as one JSON object instead of the story' },
  },
  async run(values, _positionals, io) {
    const dir = str(values, 'dir');
    if (dir) mkdirSync(dir, { recursive: true });
    const json = flag(values, 'json');
    const result = runSmimeDemo((line) => {
      if (!json) io.stdout.write(`${line}\n`);
    }, dir);
    if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
    return result.ok ? 0 : 1;
  },
};
