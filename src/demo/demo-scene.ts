/**
 * A scene of the demo's story: a few steps played against the running gateway with what every scene shares (the
 * programme's data, its rule pack, the peers, the insurer). The story is a list of scenes (run-gateway-demo.ts):
 * to show another channel or case, write a scene and add it there.
 */
import type { DevInsurer } from '../billing/dev-insurer.ts';
import type { Gateway } from '../gateway/start-gateway.ts';
import type { DevParty } from '../pki/create-dev-pki.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { RulePack } from '../policy/rule-pack-schema.ts';
import type { DemoPeers } from './demo-peers.ts';
import type { DemoProgramme } from './demo-programme.ts';
import type { PlayStep } from './demo-steps.ts';

export interface DemoContext {
  programme: DemoProgramme;
  pack: RulePack;
  /** the gateway's mail domain */
  domain: string;
  /** when the demo started (the day of the requests) */
  now: Date;
  log: (line: string) => void;
  step: PlayStep;
  gateway: Gateway;
  insurer: DevInsurer;
  peers: DemoPeers;
  /** the workspace's development CA (PEM): the gateway's TLS certificate chains to it */
  caPem: Buffer;
  /** the trust of the workspace (its CA): what the peers check the gateway's signatures with */
  trust: TrustStore;
  /** a person of the programme (or its outsider) by name, with their key and certificate */
  party(name: string): DevParty;
  /** the address for a pool's local part (`cardiologie` → `cardiologie@<domain>`); a whole address as it is */
  addressOf(to: string): string;
}

/** Plays its steps in order; a step that did not happen as expected may end the scene early (the next ones still play). */
export type DemoScene = (ctx: DemoContext) => Promise<void>;
