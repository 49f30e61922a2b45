/** A wait of at most `pollMs` that `wake` ends early (for every waiter at once): how idle workers sleep. */
export function createIdle(pollMs: number): { idle(): Promise<void>; wake(): void } {
  const waiters = new Set<() => void>();
  return {
    wake() {
      for (const w of [...waiters]) w();
    },
    idle: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        waiters.add(done);
      }),
  };
}
