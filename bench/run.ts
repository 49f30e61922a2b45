/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` runs one.
 * Each prints its figures beside a baseline measured in the same run, and ends with one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

// Everything, the baseline included (openssl inherits the affinity), runs on one core: the same core for both,
// so that a busy neighbour on the other core does not favour one side of a ratio. The last core by default
// (on these machines the first one also serves the host's interrupts); TXGATE_BENCH_CPU picks another.
if (!process.env.TXGATE_BENCH_PINNED && spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
  const r = spawnSync('taskset', ['-c', process.env.TXGATE_BENCH_CPU ?? String(cpus().length - 1), process.execPath, '--single-threaded-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TXGATE_BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

const benches: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  smime: () => import('./smime.ts'),
  intake: () => import('./intake.ts'),
  payload: () => import('./payload.ts'),
  policy: () => import('./policy.ts'),
  directory: () => import('./directory.ts'),
  fhir: () => import('./fhir.ts'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
for (const name of names) {
  const load = benches[name];
  if (!load) {
    console.error(`unknown bench '${name}'; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await (await load()).run();
}
