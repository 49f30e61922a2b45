import { mkdirSync } from 'node:fs';
import { runGatewayDemo } from '../../demo/run-gateway-demo.ts';
import { runSmimeDemo } from '../../demo/run-smime-demo.ts';
import { flag, str, type Command } from '../command.ts';

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'run the tele-expertise loop for real on loopback: a GP, the gateway, a cardiologist, the refused cases',
  details:
    'Creates a workspace (development PKI, configuration, directory), starts the gateway and plays its peers: a GP sends a\n' +
    'request by secure mail, a cardiologist accepts and answers, the opinion goes back; then the refused cases.\n' +
    'Exit 0 only if every step happened as expected. --smime shows the S/MIME engine alone.',
  options: {
    dir: { type: 'string', value: 'DIR', description: 'the workspace folder (default: a new temporary folder)' },
    pack: { type: 'string', value: 'NAME|FILE', description: 'the rule pack (default fr-teleexpertise)' },
    keep: { type: 'boolean', description: 'leave the gateway running for exploration (Ctrl-C stops it)' },
    smime: { type: 'boolean', description: 'only the S/MIME engine: seal, open, and refused variants' },
    json: { type: 'boolean', description: 'print the result as one JSON object instead of the story' },
  },
  async run(values, _positionals, io) {
    const dir = str(values, 'dir');
    if (dir) mkdirSync(dir, { recursive: true });
    const json = flag(values, 'json');
    const log = (line: string) => {
      if (!json) io.stdout.write(`${line}\n`);
    };
    if (flag(values, 'smime')) {
      const result = runSmimeDemo(log, dir);
      if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
      return result.ok ? 0 : 1;
    }
    const pack = str(values, 'pack');
    const result = await runGatewayDemo({ log, ...(dir ? { dir } : {}), ...(pack ? { pack } : {}), keep: flag(values, 'keep') });
    if (json) io.stdout.write(`${JSON.stringify({ ok: result.ok, steps: result.steps, workspace: result.workspace, config: result.config, database: result.database, mailboxes: result.mailboxes })}\n`);
    if (result.stop) {
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await result.stop();
    }
    return result.ok ? 0 : 1;
  },
};
