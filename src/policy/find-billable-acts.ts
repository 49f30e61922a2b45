/**
 * The billable acts of a request: each act of the pack whose biller (requester or requested) has a profession
 * that may bill it, with the tariff in force on the request's local day. An act with no tariff in force that day,
 * or whose biller's profession is unknown or not allowed, is not billable.
 */
import { expandNames, type Parties } from './check-pair.ts';
import type { ActRule, RulePack } from './rule-pack-schema.ts';
import type { BillableAct } from './verdict.ts';

/** The tariff of an act in force on a local day (YYYY-MM-DD; `to` is the last day it applies). */
export function tariffOn(act: ActRule, day: string): ActRule['tariffs'][number] | undefined {
  return act.tariffs.find((t) => t.from <= day && (t.to === undefined || day <= t.to));
}

export function findBillableActs(pack: RulePack, parties: Parties, day: string): BillableAct[] {
  const acts: BillableAct[] = [];
  for (const act of pack.acts) {
    const biller = act.billedBy === 'requester' ? parties.requester : parties.requested;
    if (biller.professionId === undefined || !expandNames(pack.professions, act.professions)?.has(biller.professionId)) continue;
    const tariff = tariffOn(act, day);
    if (!tariff) continue;
    acts.push({
      code: act.code,
      system: act.system,
      ...(act.display !== undefined ? { display: act.display } : {}),
      billedBy: act.billedBy,
      when: act.when,
      amount: { value: tariff.amount, currency: tariff.currency },
    });
  }
  return acts;
}
