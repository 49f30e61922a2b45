/** The pipeline's stages, by the state each takes its messages from; the same list in every thread. */
import type { Stage } from './pipeline-worker.ts';
import type { PipelineContext } from './pipeline-context.ts';
import { DECIDE_FROM_STATE, runDecideStage } from './decide-stage.ts';
import { PARSE_FROM_STATE, runParseStage } from './parse-stage.ts';
import { RELAY_FROM_STATE, runRelayStage } from './relay-stage.ts';
import { ROUTE_FROM_STATE, runRouteStage, WAITING_STATE } from './route-stage.ts';
import { runTimerStage, TIMER_FROM_STATE } from './timer-stage.ts';
import { runUnwrapStage, UNWRAP_FROM_STATE } from './unwrap-stage.ts';

export const PIPELINE_STAGES: readonly Stage<PipelineContext>[] = [
  { from: UNWRAP_FROM_STATE, name: 'unwrap', run: runUnwrapStage },
  { from: PARSE_FROM_STATE, name: 'parse', run: runParseStage },
  { from: DECIDE_FROM_STATE, name: 'decide', run: runDecideStage },
  { from: ROUTE_FROM_STATE, name: 'route', run: runRouteStage },
  { from: WAITING_STATE, name: 'route-waiting', run: runRouteStage },
  { from: RELAY_FROM_STATE, name: 'relay', run: runRelayStage },
  { from: TIMER_FROM_STATE, name: 'timer', run: runTimerStage },
];
