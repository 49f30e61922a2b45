import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(ROOT, 'fixtures');
export const CERTS = join(ROOT, 'certs');
export const DIRECT = join(FIXTURES, 'smime', 'direct-ri');
export const RFC4134 = join(FIXTURES, 'smime', 'rfc4134');
export const BIN = join(ROOT, 'bin', 'txgate');
