/** The demo's steps: each one timed, its outcome compared with what was expected, and shown as it happens. */

export interface GatewayDemoStep {
  name: string;
  expected: string;
  got: string;
  ok: boolean;
  ms: number;
}

/** Plays one step: `fn` says what happened (a thrown error is `error: …`), and the step is as expected when it equals `expected`. */
export type PlayStep = (name: string, expected: string, fn: () => Promise<string> | string) => Promise<string>;

export function createStepRecorder(log: (line: string) => void): { steps: GatewayDemoStep[]; step: PlayStep } {
  const steps: GatewayDemoStep[] = [];
  const step: PlayStep = async (name, expected, fn) => {
    const t0 = performance.now();
    let got: string;
    try {
      got = await fn();
    } catch (err) {
      got = `error: ${(err as Error).message}`;
    }
    const ms = performance.now() - t0;
    const ok = got === expected;
    steps.push({ name, expected, got, ok, ms });
    log(`${ok ? '✔' : '✘'} ${name.padEnd(72)} ${ms.toFixed(0).padStart(5)} ms  ${got}${ok ? '' : `  (expected ${expected})`}`);
    return got;
  };
  return { steps, step };
}
