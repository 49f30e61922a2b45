/**
 * The JSON Schemas published in schemas/, by file name. `npm run schemas` writes them; a test fails when one
 * is out of date. Add an entry here for each new schema (give the zod schema a title with .meta()).
 */
import type { ZodType } from 'zod';
import { ConfigSchema } from '../config/config-schema.ts';
import { CanonicalRequestSchema } from '../domain/canonical-request.ts';
import { RulePackSchema } from '../policy/rule-pack-schema.ts';

export const SCHEMAS: Record<string, ZodType> = {
  'config.schema.json': ConfigSchema,
  'canonical-request.schema.json': CanonicalRequestSchema,
  'rule-pack.schema.json': RulePackSchema,
};
