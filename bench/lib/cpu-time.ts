/** CPU time used so far (user + system, ms): by another process, all its threads (Linux /proc, 10 ms ticks), and by this one. */
import { readFileSync } from 'node:fs';

export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(stat[11]) + Number(stat[12])) * 10;
}

export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
