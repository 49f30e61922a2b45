/**
 * What the rules refuse, each with its stable code: the programme's cases (over the pack's yearly limit when it has
 * one, an ineligible pair, a requester the pack does not allow…, and a signer under an unknown authority), each
 * request sent for real and its outcome read from the gateway's database; a request the rules refused must also have
 * brought its sender the notice in the pack's language, with every code.
 */
import { buildRefusalNotice } from '../policy/notice-texts.ts';
import type { DemoScene } from './demo-scene.ts';

export const playRefusedCases: DemoScene = async (ctx) => {
  const { programme: p, pack, log, peers } = ctx;
  log(`\nWhat the rules refuse, each with its stable code, the requester told in ${p.languageName}:`);
  if (!pack.quota) log(`    (${pack.name} sets no limit of requests per patient: there is no request over a limit to play)`);
  for (const c of p.refusedCases) {
    const sender = ctx.party(c.from);
    const told: string[] = [];
    await ctx.step(c.name, c.expected, async () => {
      const outcomes: string[] = [];
      for (const question of c.questions) {
        peers.mark();
        const text = p.buildForm({ patient: p.patients[c.patient], question, at: ctx.now, ...(c.urgent ? { urgent: true } : {}) });
        const id = await peers.send(sender, ctx.addressOf(c.to), text);
        const request = peers.requestOf(id);
        const outcome = peers.outcomeOf(id);
        if (request?.state !== 'refused') {
          outcomes.push(outcome);
          continue;
        }
        // the notice: its opening line in the pack's language, and each code in brackets
        const opening = buildRefusalNotice(pack.language, [{ code: request.refusalCodes[0] ?? '?' }]).split('\n')[0]!;
        const notice = peers.open(sender).find((m) => m.text.includes(opening) && request.refusalCodes.every((code) => m.text.includes(`[${code}]`)));
        if (notice) told.push(...notice.text.split('\n').filter((l) => l.startsWith('- ')));
        outcomes.push(notice ? outcome : `${outcome} (requester not told in ${pack.language})`);
      }
      return outcomes.join(' ');
    });
    for (const line of told) log(`    ${pack.language}: ${line.length > 110 ? `${line.slice(0, 100)}… ${line.slice(line.lastIndexOf('['))}` : line}`);
  }
};
