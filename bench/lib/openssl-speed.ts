import { execFileSync } from 'node:child_process';

/** `openssl speed rsa2048` on one core (`cpu`: which one, else wherever this process may run): RSA-2048 private-key operations (sign/s) and public ones (verify/s). */
export function measureOpensslRsa2048(seconds = 3, cpu?: string): { privateOpsPerSec: number; publicOpsPerSec: number } {
  const args = ['speed', '-seconds', String(seconds), 'rsa2048'];
  const out = cpu === undefined
    ? execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    : execFileSync('taskset', ['-c', cpu, 'openssl', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/.exec(out);
  if (!m) throw new Error(`cannot read openssl speed output:\n${out}`);
  return { privateOpsPerSec: Number(m[1]), publicOpsPerSec: Number(m[2]) };
}
