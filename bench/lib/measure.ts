/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 3000, warmup = 50): number {
  for (let i = 0; i < warmup; i++) fn();
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
