/**
 * Runs the pipeline over a database until nothing is due, as one more gateway process would (its own
 * connection, its own lease owner): `node --import tsx drain-pipeline.ts CONFIG.json OWNER`. For tests of
 * several processes racing on one database.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../src/config/config-schema.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { buildPipelineContext } from '../../src/pipeline/build-pipeline-context.ts';
import { PIPELINE_STAGES } from '../../src/pipeline/pipeline-stages.ts';
import { startPipelineWorkers } from '../../src/pipeline/pipeline-worker.ts';
import { openDatabase } from '../../src/store/open-database.ts';

const [configFile, owner] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configFile!, 'utf8')) as Config;
const db = openDatabase(config.database.path);
const at = new Date('2026-03-03T10:05:00Z');
const ctx = buildPipelineContext(config, db, () => at, silentLogger);
// up to the decide stage (what the tests of several processes look at)
const stages = PIPELINE_STAGES.filter((s) => ['unwrap', 'parse', 'decide'].includes(s.name));
const workers = startPipelineWorkers({ db, stages, context: () => ctx, now: () => at, workers: 1, leaseMs: 60_000, pollMs: 10_000, maxAttempts: 5, owner: owner!, log: silentLogger });
await workers.drain();
await workers.stop();
db.close();
