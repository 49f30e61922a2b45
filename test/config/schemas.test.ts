import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/schemas/index.ts';
import { renderSchema } from '../../src/schemas/render-schema.ts';
import { ROOT } from '../helpers/paths.ts';

const DIR = join(ROOT, 'schemas');
const RERUN = 'out of date: run `npm run schemas` and commit schemas/';

/** Every property schema of a JSON Schema, with its path. */
function* properties(node: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (typeof node !== 'object' || node === null) return;
  const n = node as Record<string, unknown>;
  for (const [key, child] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) {
    yield [`${path}${key}`, child as Record<string, unknown>];
    yield* properties(child, `${path}${key}.`);
  }
  for (const key of ['items', 'additionalProperties']) if (typeof n[key] === 'object') yield* properties(n[key], `${path}*.`);
  for (const alt of (n.anyOf ?? []) as unknown[]) yield* properties(alt, path);
}

describe('schemas/', () => {
  it('holds exactly the schemas of SCHEMAS', () => {
    expect(readdirSync(DIR).sort(), RERUN).toEqual(Object.keys(SCHEMAS).sort());
  });

  it.each(Object.keys(SCHEMAS))('%s equals what `npm run schemas` writes now', (fileName) => {
    const onDisk = readFileSync(join(DIR, fileName), 'utf8');
    expect(onDisk === renderSchema(fileName, SCHEMAS[fileName]!), `schemas/${fileName} is ${RERUN}`).toBe(true);
  });

  it('describes every setting of the configuration (the README reference is generated from it)', () => {
    const schema = JSON.parse(renderSchema('config.schema.json', SCHEMAS['config.schema.json']!)) as Record<string, unknown>;
    expect(schema.$id).toBe('urn:txgate:schema:config');
    expect(schema.title).toBe('txgate configuration');
    const undescribed = [...properties(schema, '')].filter(([, p]) => typeof p.description !== 'string').map(([path]) => path);
    expect(undescribed).toEqual([]);
  });
});
