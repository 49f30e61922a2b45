/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up of `warmupMs`; returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 3000, warmupMs = Math.min(1000, ms / 3)): number {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) fn();
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1_000_000n;
  let n = 0;
  let elapsed = 0n;
  while (elapsed < limit) {
    fn();
    n++;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Prints a table of figures, then the one JSON line the bench contract asks for. */
export function report(name: string, lines: [string, string | number][], figures: Record<string, unknown>): void {
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  console.log(`\n== bench ${name} ==`);
  for (const [k, v] of lines) console.log(`${k.padEnd(width)}${v}`);
  console.log(JSON.stringify({ bench: name, ...figures }));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Measures several workloads and a baseline in interleaved rounds (A B C baseline, A B C baseline, …)
 * so that a noisy neighbour affects them alike; returns the median of each.
 */
export function interleaved<K extends string>(workloads: Record<K, () => number>, rounds = 3): Record<K, number> {
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, measure] of Object.entries(workloads) as [K, () => number][]) (samples[name] ??= []).push(measure());
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<K, number>;
}
