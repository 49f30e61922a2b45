/**
 * A stage thread: runs the pipeline's stages (pure CPU on bytes: open, seal), and the checks of the request Bundles
 * the FHIR API receives, off the main thread, which keeps
 * SMTP and the database. Its trust (anchors, CRLs) is the one the main thread loaded and checked, handed over as
 * bytes at the start and with each `reload` (stage-thread-trust.ts): a trust file that breaks after the start
 * neither stops a thread from (re)starting nor changes what it trusts. Its keys and recipients' certificates are
 * read from the configuration, again on `reload`; a reload that fails keeps the previous context. Its one
 * database use, the read-only lookup of what the gateway sent, goes through a read-only connection of its own.
 * It writes nothing: the main thread records every outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/config-schema.ts';
import { checkFhirSubmission } from '../fhir-api/check-fhir-submission.ts';
import { silentLogger } from '../log/logger.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { openReadOnlyDatabase } from '../store/open-database.ts';
import { buildPipelineContext } from './build-pipeline-context.ts';
import type { PipelineContext } from './pipeline-context.ts';
import { PIPELINE_STAGES } from './pipeline-stages.ts';
import { asBuffer, reviveMessageWork, type FromStageThread, type StageThreadData, type ToStageThread } from './stage-thread-messages.ts';
import { parseTrustMaterial } from './stage-thread-trust.ts';

const port = parentPort!;
const { config, trust } = workerData as StageThreadData;
const post = (m: FromStageThread) => port.postMessage(m);

// what building the context has to say (unreadable certificate files) the main thread, building its own, says once
const log = silentLogger;

let at = Date.now();
const db = openReadOnlyDatabase(config.database.path);

/** The context from the configuration, with `trust` instead of the trust files (which it does not read). */
function buildThreadContext(config: Config, trust: TrustStore): PipelineContext {
  const ctx = buildPipelineContext({ ...config, smime: { ...config.smime, trust: [], crls: [] } }, db, () => new Date(at), log);
  return { ...ctx, trust };
}

let ctx = buildThreadContext(config, parseTrustMaterial(trust));
post({ type: 'ready' });

port.on('message', (m: ToStageThread) => {
  if (m.type === 'reload') {
    try {
      ctx = buildThreadContext(config, parseTrustMaterial(m.trust));
      post({ type: 'reloaded' });
    } catch (err) {
      post({ type: 'reloaded', error: (err as Error).message });
    }
    return;
  }
  at = m.at;
  if (m.type === 'check-fhir') {
    try {
      const { trust, open } = ctx;
      const result = checkFhirSubmission(asBuffer(m.body), { at: new Date(m.at), expectedSigner: m.expectedSigner, requireSignature: m.requireSignature, trust, requireCrl: open.requireCrl });
      post({ type: 'checked', job: m.job, result });
    } catch (err) {
      post({ type: 'failed', job: m.job, error: (err as Error)?.message ?? String(err) });
    }
    return;
  }
  try {
    const stage = PIPELINE_STAGES.find((s) => s.name === m.stage);
    if (!stage) throw new Error(`no stage ${m.stage}`);
    post({ type: 'done', job: m.job, result: stage.run(reviveMessageWork(m.msg), ctx) });
  } catch (err) {
    post({ type: 'failed', job: m.job, error: (err as Error)?.message ?? String(err) });
  }
});
