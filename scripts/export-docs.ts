/** Writes docs/configuration.md, the configuration reference generated from the zod schema. Run with `npm run docs`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigReference } from '../src/config/render-config-reference.ts';

const OUT = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, renderConfigReference());
process.stdout.write(`wrote ${OUT}\n`);
