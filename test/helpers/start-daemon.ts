/** `txgate serve` in its own process (crash tests kill it), its output appended to a log file. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { BIN } from './paths.ts';

/** Starts the daemon; resolves once its output holds `ready` (a log line such as "smtp intake listening"). */
export function startDaemon(configFile: string, logFile: string, ready: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      writeFileSync(logFile, d, { flag: 'a' });
      if (out.includes(ready)) {
        p.stdout!.off('data', onData);
        p.stdout!.on('data', (x: Buffer) => writeFileSync(logFile, x, { flag: 'a' }));
        p.removeListener('exit', onEarlyExit);
        resolve(p);
      }
    };
    const onEarlyExit = (code: number | null) => reject(new Error(`daemon exited (${code}) before listening: ${out.slice(-2000)}`));
    p.stdout!.on('data', onData);
    p.stderr!.on('data', (d: Buffer) => writeFileSync(logFile, d, { flag: 'a' }));
    p.once('exit', onEarlyExit);
  });
}

/** Resolves with the exit code once the process has ended. */
export function exited(p: ChildProcess): Promise<number | null> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve(p.exitCode) : new Promise((res) => p.once('exit', (code) => res(code)));
}
