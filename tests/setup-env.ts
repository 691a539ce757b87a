// Every test process gets its own cache root, so tests never read or write the
// user's ~/.cache/phasekit and never see each other's entries unless they share a
// directory on purpose. Child processes inherit it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.PHASEKIT_CACHE_DIR ??= mkdtempSync(join(tmpdir(), 'phasekit-test-cache-'));
