import { formatProblems, loadConfig } from '../../config/load-config.ts';
import { startGateway } from '../../gateway/start-gateway.ts';
import { createLogger } from '../../log/logger.ts';
import { str, UsageError, type Command } from '../command.ts';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'run the gateway: SMTP intake, pipeline and outbound delivery',
  details: `Starts everything the configuration enables and logs JSON lines on standard output.
Every setting can also come from an environment variable (TXGATE_SMTP_PORT=2526 for smtp.port).
SIGTERM or SIGINT: stop accepting (421), finish what is in flight, exit 0. SIGHUP: reload the trust
anchors, CRLs and recipients' certificates. A bad configuration stops the start (exit 1) naming each setting.`,
  options: {
    config: { type: 'string', value: 'FILE', description: 'the configuration file (default: $TXGATE_CONFIG)' },
  },
  async run(values, _positionals, io) {
    const file = str(values, 'config') ?? process.env.TXGATE_CONFIG;
    if (!file) throw new UsageError('give --config FILE (or set TXGATE_CONFIG)');
    const loaded = loadConfig(file);
    if (!loaded.ok) {
      io.stderr.write(`${formatProblems(loaded.problems)}\n`);
      return 1;
    }
    const log = createLogger((line) => io.stdout.write(line), process.env.TXGATE_DEBUG ? 'debug' : 'info');
    let gateway;
    try {
      gateway = await startGateway(loaded.value, { log });
    } catch (err) {
      io.stderr.write(`txgate serve: cannot start: ${(err as Error).message}\n`);
      return 1;
    }
    const g = gateway;
    return await new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info('stopping', { signal });
        g.stop().then(
          () => resolve(0),
          (err: unknown) => {
            log.error('error while stopping', { error: (err as Error).message });
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGHUP', () => {
        try {
          g.reload();
        } catch (err) {
          log.error('reload failed, keeping the previous trust', { error: (err as Error).message });
        }
      });
    });
  },
};
