import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together */
  out: string;
}

/** Runs the real `openssl` CLI. */
export function openssl(args: string[], cwd?: string): Run {
  const r = spawnSync('openssl', args, { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'txgate-pki-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
