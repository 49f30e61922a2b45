// The entry of a stage thread: the sources are TypeScript, loaded through tsx (as bin/txgate does).
import { register } from 'tsx/esm/api';

register();
await import('./stage-thread.ts');
