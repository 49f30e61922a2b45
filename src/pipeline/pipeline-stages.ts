/** The pipeline's stages, by the state each takes its messages from; the same list in every thread. */
import type { Stage } from './pipeline-worker.ts';
import type { PipelineContext } from './pipeline-context.ts';
import { runUnwrapStage, UNWRAP_FROM_STATE } from './unwrap-stage.ts';

export const PIPELINE_STAGES: readonly Stage<PipelineContext>[] = [{ from: UNWRAP_FROM_STATE, name: 'unwrap', run: runUnwrapStage }];
