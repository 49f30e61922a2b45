/** The real binary in a child process (node bin/txgate …), without any TXGATE_ variable of the test's environment. */
import { spawn } from 'node:child_process';
import { BIN } from './paths.ts';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TXGATE_')));

export function runTxgate(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('error', reject);
    p.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
