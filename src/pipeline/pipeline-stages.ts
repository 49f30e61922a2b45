/** The pipeline's stages, by the state each takes its messages from; the same list in every thread. */
import type { Stage } from './pipeline-worker.ts';
import type { PipelineContext } from './pipeline-context.ts';
import { DECIDE_FROM_STATE, runDecideStage } from './decide-stage.ts';
import { PARSE_FROM_STATE, runParseStage } from './parse-stage.ts';
import { runUnwrapStage, UNWRAP_FROM_STATE } from './unwrap-stage.ts';

export const PIPELINE_STAGES: readonly Stage<PipelineContext>[] = [
  { from: UNWRAP_FROM_STATE, name: 'unwrap', run: runUnwrapStage },
  { from: PARSE_FROM_STATE, name: 'parse', run: runParseStage },
  { from: DECIDE_FROM_STATE, name: 'decide', run: runDecideStage },
];
