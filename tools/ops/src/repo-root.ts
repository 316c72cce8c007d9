import { resolve } from 'node:path';

/** The workspace root; this file sits at the same depth in `src/` and in the built `dist/`. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
