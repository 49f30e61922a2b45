/**
 * A stage thread: runs the pipeline's stages (pure CPU on bytes: open, seal) off the main thread, which keeps
 * SMTP and the database. Its context (keys, trust, certificates) is built here from the configuration, and
 * rebuilt on `reload`; its one database use, the read-only lookup of what the gateway sent, goes through a
 * read-only connection of its own. It writes nothing: the main thread records every outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/config-schema.ts';
import { silentLogger } from '../log/logger.ts';
import { openReadOnlyDatabase } from '../store/open-database.ts';
import { buildPipelineContext } from './build-pipeline-context.ts';
import { PIPELINE_STAGES } from './pipeline-stages.ts';
import { reviveMessageWork, type FromStageThread, type ToStageThread } from './stage-thread-messages.ts';

const port = parentPort!;
const config = (workerData as { config: Config }).config;
const post = (m: FromStageThread) => port.postMessage(m);

// what building the context has to say (unreadable certificate files) the main thread, building its own, says once
const log = silentLogger;

let at = Date.now();
const db = openReadOnlyDatabase(config.database.path);
let ctx = buildPipelineContext(config, db, () => new Date(at), log);
post({ type: 'ready' });

port.on('message', (m: ToStageThread) => {
  if (m.type === 'reload') {
    try {
      ctx = buildPipelineContext(config, db, () => new Date(at), log);
      post({ type: 'reloaded' });
    } catch (err) {
      post({ type: 'reloaded', error: (err as Error).message });
    }
    return;
  }
  at = m.at;
  try {
    const stage = PIPELINE_STAGES.find((s) => s.name === m.stage);
    if (!stage) throw new Error(`no stage ${m.stage}`);
    post({ type: 'done', job: m.job, result: stage.run(reviveMessageWork(m.msg), ctx) });
  } catch (err) {
    post({ type: 'failed', job: m.job, error: (err as Error)?.message ?? String(err) });
  }
});
