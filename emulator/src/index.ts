export { startEmulator, freePort, toolsDir, type Emulator, type StartOptions } from './start.js';
export { seedSampleData, emulatorClient, createTable, TILESET_TABLE_OPTIONS } from './seed.js';
export * from './sample-data.js';

import { seedSampleData } from './seed.js';
import { startEmulator, type Emulator, type StartOptions } from './start.js';

/** An emulator holding the sample data: what tests and the local stack start with. */
export async function startSeededEmulator(options: StartOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator(options);
  try {
    await seedSampleData(emulator.host);
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  return emulator;
}
export {
  startBigQueryStandIn,
  billedBytes,
  MIB,
  MINIMUM_BILLED_BYTES,
  type BigQueryStandIn,
  type DeclaredTable,
  type QueryFault,
  type QueryRecord,
} from './standin.js';
