/** The programmes the demo plays, by rule pack name: one object each (see ../demo-programme.ts). */
import { resolve } from 'node:path';
import { fail, ok, type Result } from '../../errors/result.ts';
import { loadRulePack, SHIPPED_PACKS } from '../../policy/load-rule-pack.ts';
import type { RulePack } from '../../policy/rule-pack-schema.ts';
import type { DemoProgramme } from '../demo-programme.ts';
import { BR_TELESSAUDE } from './br-telessaude.ts';
import { FR_TELEEXPERTISE } from './fr-teleexpertise.ts';

export const DEMO_PROGRAMMES: Readonly<Record<string, DemoProgramme>> = {
  [FR_TELEEXPERTISE.pack]: FR_TELEEXPERTISE,
  [BR_TELESSAUDE.pack]: BR_TELESSAUDE,
};

export const DEFAULT_DEMO_PACK = FR_TELEEXPERTISE.pack;

export interface ChosenProgramme {
  programme: DemoProgramme;
  pack: RulePack;
  /** what the configuration's policy.pack says: the shipped name, or the file's absolute path */
  policyPack: string;
}

/**
 * The programme played for a rule pack: a shipped name, or a pack file whose `name` is one the demo has data for
 * (your own copy of fr-teleexpertise, say). DEMO_NO_PROGRAMME when the demo has no data for it.
 */
export function chooseDemoProgramme(nameOrPath: string = DEFAULT_DEMO_PACK): Result<ChosenProgramme> {
  const loaded = loadRulePack(nameOrPath);
  if (!loaded.ok) return loaded;
  const programme = Object.hasOwn(DEMO_PROGRAMMES, loaded.value.name) ? DEMO_PROGRAMMES[loaded.value.name] : undefined;
  if (!programme) {
    return fail({ code: 'DEMO_NO_PROGRAMME', path: 'pack', message: `the demo has no people nor patients for the pack '${loaded.value.name}' (it plays ${Object.keys(DEMO_PROGRAMMES).join(', ')})` });
  }
  const policyPack = SHIPPED_PACKS.includes(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  return ok({ programme, pack: loaded.value, policyPack });
}
