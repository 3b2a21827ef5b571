// The flooding client (bench/flood/run.ts forks it and sends its task): asks `first`, then tiles outside the tileset's
// box (z 15, one new x/y each), never one URL twice, until `seconds` have passed; sends back the answers per status.
import { SAMPLE_TILESET } from '@maps-api/emulator';
import { ask } from './client.js';

interface Task {
  base: string;
  first: string[];
  address: string;
  connections: number;
  seconds: number;
  /** Requests per second at most (0: as fast as the connections go). */
  rate: number;
}
const { base, first, address, connections, seconds, rate } = await new Promise<Task>((resolve) =>
  process.once('message', (task) => resolve(task as Task)),
);
const started = Date.now();
const until = started + seconds * 1000;
let next = 0;
const url = (i: number) =>
  i < first.length ? first[i]! : `/maps/tileset/${SAMPLE_TILESET}/15/${i % 32768}/${Math.floor(i / 32768)}`;
const statuses: Record<string, number> = {};
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (Date.now() < until) {
      const n = next++;
      const due = rate > 0 ? started + (n * 1000) / rate : 0;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const { status } = await ask(base, url(n), address);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
process.send!(statuses, () => process.disconnect());
