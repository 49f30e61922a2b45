/** Writes every JSON Schema of SCHEMAS (src/schemas/index.ts) into schemas/. Run with `npm run schemas`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMAS } from '../src/schemas/index.ts';
import { renderSchema } from '../src/schemas/render-schema.ts';

const OUT = fileURLToPath(new URL('../schemas', import.meta.url));

function exportSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(SCHEMAS).map(([fileName, schema]) => {
    const path = join(dir, fileName);
    writeFileSync(path, renderSchema(fileName, schema));
    return path;
  });
}

for (const path of exportSchemas(OUT)) process.stdout.write(`wrote ${path}\n`);
