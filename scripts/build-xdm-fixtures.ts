/**
 * Writes fixtures/xdm/: the sample tele-expertise IHE_XDM.ZIP (a CDA and a PDF) that the tests read, built with
 * the project's own XDM writer from test/payload/xdm/sample-xdm.ts. Deterministic: run it again, same bytes
 * (a test checks that the committed file is what this builds).
 *
 *   node --import tsx scripts/build-xdm-fixtures.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildXdmPackage } from '../src/payload/xdm/build-xdm-package.ts';
import { sampleXdmInput } from '../test/payload/xdm/sample-xdm.ts';

const out = join(fileURLToPath(new URL('..', import.meta.url)), 'fixtures', 'xdm');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'IHE_XDM.ZIP'), buildXdmPackage(sampleXdmInput()));
console.log(`wrote ${join(out, 'IHE_XDM.ZIP')}`);
