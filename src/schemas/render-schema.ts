/**
 * A zod schema as the JSON Schema text published in schemas/: draft 2020-12, describing what a file may contain
 * (io 'input': settings with defaults are optional), with a $id made from the file name and the schema's title.
 */
import { z, type ZodType } from 'zod';

export const SCHEMA_ID_BASE = 'urn:txgate:schema:';

/** The JSON Schema text (pretty, final newline) of a schema published as `fileName`. */
export function renderSchema(fileName: string, schema: ZodType): string {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  if (typeof rest.title !== 'string') throw new Error(`schema ${fileName} has no title: give it one with .meta({ title })`);
  const document = { $schema, $id: `${SCHEMA_ID_BASE}${fileName.replace(/\.schema\.json$/, '')}`, ...rest };
  return `${JSON.stringify(document, null, 2)}\n`;
}
