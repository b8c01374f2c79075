/**
 * node --import tsx src/test-support/interrupted-export.ts <checkpoint> <out> <SIGINT|SIGTERM>
 *
 * Starts an export and signals itself as soon as the first graph is being written — the moment
 * a user's Ctrl-C would leave a partial folder behind — so the test of the clean-up does not
 * depend on timing.
 */
import { exportCheckpointToDir } from '../node/export-to-dir.ts';

const [checkpoint, out, signal] = process.argv.slice(2);
if (signal !== 'SIGINT' && signal !== 'SIGTERM')
  throw new Error(`usage: interrupted-export.ts <checkpoint> <out> SIGINT|SIGTERM`);
let sent = false;
await exportCheckpointToDir(checkpoint, out, {
  onProgress: (e) => {
    if (e.stage !== 'graph' || sent) return;
    sent = true;
    process.kill(process.pid, signal);
  },
});
console.log('the export finished although it was interrupted');
