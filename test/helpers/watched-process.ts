/** A process the tests watch: its output so far, its exit, a pattern or a JSON log line awaited. */
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './eventually.ts';

export interface WatchedProcess {
  proc: ChildProcess;
  /** stdout so far (JSON log lines for the daemon) */
  readonly stdout: string;
  readonly stderr: string;
  /** the exit code (null when killed by a signal), once its output is closed too */
  exited: Promise<number | null>;
  /** resolves once stdout matches `pattern` (its match); fails when the time is up */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** the first JSON log line whose msg is `msg` (and whose fields match), once it is written */
  logLine(msg: string, match?: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function spawnWatched(command: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; input?: Buffer } = {}): WatchedProcess {
  const proc = spawn(command, args, { ...(o.cwd ? { cwd: o.cwd } : {}), env: o.env ?? process.env, stdio: [o.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  if (o.input) proc.stdin!.end(o.input);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => proc.once('close', (c) => resolve((code = c))));
  const state = (what: string) => `${code === undefined ? `no ${what} yet` : `exited (${code}) without ${what}`}\nstdout: ${stdout.slice(-3000)}\nstderr: ${stderr.slice(-2000)}`;
  return {
    proc,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return eventually(
        () => {
          const m = stdout.match(pattern);
          if (m) return m;
          throw new Error(state(String(pattern)));
        },
        timeoutMs,
        50,
      );
    },
    logLine(msg, match = () => true, timeoutMs = 30_000) {
      return eventually(() => {
        const found = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.msg === msg && match(l));
        if (found) return found;
        throw new Error(state(`'${msg}' in the log`));
      }, timeoutMs);
    },
  };
}
