/** How the demo tells an admitted request: the pack, the answer deadline, the billable acts with their tariffs, the expert. */
import type { RequestRow } from '../store/requests.ts';

const CURRENCY: Readonly<Record<string, string>> = { EUR: '€', BRL: 'R$' };

/** `admitted under fr-teleexpertise, answer due 2026-12-02, billable: TE2 €23, RQD €10; routed to … (pr-…)` */
export function describeAdmission(row: RequestRow, pack: string): string {
  const verdict = row.verdict as { deadline?: string; acts?: { code: string; amount: { value: number; currency: string } }[] } | undefined;
  const acts = (verdict?.acts ?? []).map((a) => `${a.code} ${CURRENCY[a.amount.currency] ?? `${a.amount.currency} `}${a.amount.value}`).join(', ') || 'none';
  return `admitted under ${pack}${verdict?.deadline ? `, answer due ${verdict.deadline}` : ''}, billable: ${acts}; routed to ${row.expertAddress} (${row.expert})`;
}
