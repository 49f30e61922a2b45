import { mkdirSync } from 'node:fs';
import { runGatewayDemo, type GatewayDemoJson } from '../../demo/run-gateway-demo.ts';
import { chooseDemoProgramme, DEMO_PROGRAMMES } from '../../demo/programmes/index.ts';
import { runSmimeDemo } from '../../demo/run-smime-demo.ts';
import { flag, str, UsageError, type Command } from '../command.ts';

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'run the whole loop for real on loopback: a GP by mail, a nurse by FHIR, a cardiologist, the insurer, refusals',
  details:
    'Creates a workspace (development PKI, configuration, directory), starts the gateway (SMTP and the FHIR API on free\n' +
    'loopback ports) and plays its peers: a GP sends a request by secure mail, a cardiologist accepts and answers, the\n' +
    'opinion goes back; a nurse\'s software POSTs a signed request Bundle over HTTPS with her certificate and follows its\n' +
    'Task to the signed opinion; the insurer receives the claims; then the refused cases.\n' +
    'Exit 0 only if every step happened as expected. --smime shows the S/MIME engine alone.\n' +
    `--pack plays another programme with its own people, patients, form language and refused cases: ${Object.keys(DEMO_PROGRAMMES).join(', ')}\n` +
    '(br-telessaude: the Brazilian Telessaúde teleconsultoria, CNS, CBO, councils, municipalities, nothing billed).',
  options: {
    dir: { type: 'string', value: 'DIR', description: 'the workspace folder (default: a new temporary folder)' },
    pack: { type: 'string', value: 'NAME|FILE', description: `the programme played: ${Object.keys(DEMO_PROGRAMMES).join(' or ')} (default fr-teleexpertise), or a pack file of that name` },
    keep: { type: 'boolean', description: 'leave the gateway running for exploration (Ctrl-C stops it)' },
    smime: { type: 'boolean', description: 'only the S/MIME engine: seal, open, and refused variants' },
    json: { type: 'boolean', description: 'print the result as one JSON object instead of the story' },
  },
  async run(values, _positionals, io) {
    const pack = str(values, 'pack');
    if (pack) {
      const chosen = chooseDemoProgramme(pack);
      if (!chosen.ok) throw new UsageError(chosen.problems.map((p) => p.message).join('; '));
    }
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
    const result = await runGatewayDemo({ log, ...(dir ? { dir } : {}), ...(pack ? { pack } : {}), keep: flag(values, 'keep') });
    if (json) {
      const { gateway: _gateway, stop: _stop, ...printed } = result;
      io.stdout.write(`${JSON.stringify(printed satisfies GatewayDemoJson)}\n`);
    }
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
