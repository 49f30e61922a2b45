import { formatProblems, loadConfig } from '../../config/load-config.ts';
import { startGateway, type Gateway } from '../../gateway/start-gateway.ts';
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
    // signals are handled from the start: one that arrives while the gateway starts waits for it
    let gateway: Gateway | undefined;
    let stopRequested: string | undefined;
    let reloadRequested = false;
    let finish: (code: number) => void = () => {};
    const done = new Promise<number>((resolve) => (finish = resolve));
    const stop = (signal: string) => {
      if (stopRequested) return;
      stopRequested = signal;
      if (!gateway) return;
      log.info('stopping', { signal });
      gateway.stop().then(
        () => finish(0),
        (err: unknown) => {
          log.error('error while stopping', { error: (err as Error).message });
          finish(1);
        },
      );
    };
    const reload = () => {
      if (!gateway) {
        reloadRequested = true;
        return;
      }
      try {
        gateway.reload();
      } catch (err) {
        log.error('reload failed, keeping the previous trust', { error: (err as Error).message });
      }
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', reload);
    try {
      gateway = await startGateway(loaded.value, { log });
    } catch (err) {
      io.stderr.write(`txgate serve: cannot start: ${(err as Error).message}\n`);
      return 1;
    }
    if (reloadRequested) reload();
    if (stopRequested) {
      const signal = stopRequested;
      stopRequested = undefined;
      stop(signal);
    }
    return await done;
  },
};
