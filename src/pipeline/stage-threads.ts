/**
 * The stage threads, seen from the main thread: a few worker threads that run the pipeline's stages, so that
 * their CPU (decrypting, verifying, signing), and the checks of the request Bundles the FHIR API receives, run
 * beside the SMTP and HTTP sessions and the database instead of between them. A job goes to the thread with the fewest jobs waiting. A thread that dies fails its jobs (the pipeline
 * retries them) and is replaced. The threads' trust is the main thread's, handed to each at its start (a thread
 * started to replace another gets the latest) and with each reload.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config-schema.ts';
import type { FhirSubmissionCheck, FhirSubmissionRequest } from '../fhir-api/check-fhir-submission.ts';
import type { Logger } from '../log/logger.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import { reviveStepResult, type FromStageThread, type StageThreadData, type ToStageThread } from './stage-thread-messages.ts';
import type { TrustMaterial } from './stage-thread-trust.ts';

export interface StageThreads {
  /** whether a thread has built its context (a job given earlier would wait for it, leased meanwhile) */
  isReady(): boolean;
  /** resolves once a thread is ready */
  ready(): Promise<void>;
  /** runs stage `stage` on `msg` in a ready thread (waiting for one), the clock reading `at` */
  run(stage: string, msg: MessageWork, at: Date): Promise<StepResult>;
  /** checks a request Bundle received over the FHIR API in a ready thread (checkFhirSubmission with the thread's trust) */
  checkFhirSubmission(body: Buffer, request: FhirSubmissionRequest): Promise<FhirSubmissionCheck>;
  /** every thread rebuilds its context with `trust` (the main thread's, just reloaded) and the configuration's files (SIGHUP) */
  reload(trust: TrustMaterial): void;
  /** ends the threads (jobs still waiting fail) */
  stop(): Promise<void>;
}

interface Pending {
  resolve(r: FromStageThread & { type: 'done' | 'checked' }): void;
  reject(e: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  alive: boolean;
  ready: boolean;
}

const ENTRY = new URL('./stage-thread-entry.mjs', import.meta.url);
const RESTART_DELAY_MS = 1000;

/** Starts `count` threads working with `trust`, the trust the main thread loaded (buildTrustMaterial). */
export function startStageThreads(config: Config, count: number, log: Logger, trust: TrustMaterial): StageThreads {
  let stopping = false;
  let nextJob = 1;
  const threads: Thread[] = [];
  const readyWaiters = new Set<() => void>();
  let currentTrust = trust;

  const start = (slot: number) => {
    const data: StageThreadData = { config, trust: currentTrust };
    const worker = new Worker(ENTRY, { workerData: data });
    const thread: Thread = { worker, pending: new Map(), alive: true, ready: false };
    threads[slot] = thread;
    worker.on('message', (m: FromStageThread) => {
      if (m.type === 'ready') {
        thread.ready = true;
        for (const w of [...readyWaiters]) w();
        readyWaiters.clear();
        return;
      }
      if (m.type === 'reloaded') {
        if (m.error) log.error('stage thread: reload failed, keeping the previous trust', { error: m.error });
        return;
      }
      const p = thread.pending.get(m.job);
      if (!p) return;
      thread.pending.delete(m.job);
      if (m.type === 'failed') p.reject(new Error(m.error));
      else p.resolve(m);
    });
    worker.on('error', (err) => log.error('stage thread error', { error: err.message }));
    worker.on('exit', (code) => {
      thread.alive = false;
      thread.ready = false;
      for (const p of thread.pending.values()) p.reject(new Error(`stage thread ended (exit code ${code})`));
      thread.pending.clear();
      if (stopping) return;
      log.error('stage thread ended, starting another', { code });
      setTimeout(() => {
        if (!stopping) start(slot);
      }, RESTART_DELAY_MS).unref();
    });
  };
  for (let i = 0; i < count; i++) start(i);

  const send = (t: Thread, m: ToStageThread) => t.worker.postMessage(m);
  const isReady = () => threads.some((t) => t.ready);
  /** A job to the ready thread with the fewest waiting (waiting for one to be ready), and its answer. */
  const ask = async (message: (job: number) => ToStageThread): Promise<FromStageThread & { type: 'done' | 'checked' }> => {
    if (!isReady()) await new Promise<void>((resolve) => readyWaiters.add(resolve));
    const t = threads.filter((x) => x.ready).reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const job = nextJob++;
    return new Promise((resolve, reject) => {
      t.pending.set(job, { resolve, reject });
      send(t, message(job));
    });
  };

  return {
    isReady,
    ready() {
      return isReady() ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.add(resolve));
    },
    async run(stage, msg, at) {
      const answer = await ask((job) => ({ type: 'run', job, stage, msg, at: at.getTime() }));
      if (answer.type !== 'done') throw new Error(`stage thread answered ${answer.type} to run`);
      return reviveStepResult(answer.result);
    },
    async checkFhirSubmission(body, request) {
      const answer = await ask((job) => ({ type: 'check-fhir', job, body, at: request.at.getTime(), expectedSigner: request.expectedSigner, requireSignature: request.requireSignature }));
      if (answer.type !== 'checked') throw new Error(`stage thread answered ${answer.type} to check-fhir`);
      return answer.result;
    },
    reload(trust) {
      currentTrust = trust;
      for (const t of threads) if (t.alive) send(t, { type: 'reload', trust });
    },
    async stop() {
      stopping = true;
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
