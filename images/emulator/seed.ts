// Build-time seeding of the emulator image: the workspace's own seeding code writes the sample data into a data dir,
// then the emulator stops cleanly so DuckDB checkpoints everything into the files the runtime stage copies.
import { startSeededEmulator } from '../../emulator/src/index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: seed.ts <data-dir>');
const started = Date.now();
const emulator = await startSeededEmulator({ dataDir, log: (line) => console.log(line) });
await emulator.stop();
console.log(`sample data written to ${dataDir} in ${Date.now() - started} ms`);
