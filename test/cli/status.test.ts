import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { runGatewayDemo, type GatewayDemoResult } from '../../src/demo/run-gateway-demo.ts';
import { runCommand } from '../helpers/run-command.ts';

let demo: GatewayDemoResult;

beforeAll(async () => {
  // a workspace with real traffic: the demo's (an opinion delivered, requests routed, refused ones)
  demo = await runGatewayDemo({ log: () => {}, dir: mkdtempSync(join(tmpdir(), 'txgate-status-')) });
  expect(demo.ok).toBe(true);
}, 60_000);

describe('txgate status', () => {
  it('summarises messages, requests, the outbox and the deadlines at risk on one screen', async () => {
    const r = await runCommand(statusCommand, ['--config', demo.config]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^messages {14}.*refused \d+/);
    expect(lines[1]).toMatch(/^requests {14}.*answered 2.*refused 2.*routed 3/);
    expect(lines[2]).toMatch(/^outbox {16}0 pending, 0 failed/);
    // (the GP's request by mail and the nurse's by FHIR are answered) nothing is due within a day (answers are due in
    // days); with a window of 30 days the three routed ones are
    expect(r.stdout).toMatch(/deadlines < 24 h {6}none/);
    const wide = await runCommand(statusCommand, ['--config', demo.config, '--risk-hours', String(24 * 30), '--json']);
    const json = JSON.parse(wide.stdout) as { deadlinesAtRisk: unknown[]; stuck: unknown[]; gatewayCertificates: unknown[] };
    expect(json.deadlinesAtRisk).toHaveLength(3);
    expect(json.stuck).toEqual([]);
    expect(json.gatewayCertificates.length).toBeGreaterThanOrEqual(3);
  });
});
