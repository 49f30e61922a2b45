/** txgate's version, from package.json (what the FHIR CapabilityStatement and the logs say). */
import { readFileSync } from 'node:fs';

export const TXGATE_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
