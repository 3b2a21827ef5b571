// The partition a CARTO tileset stores a tile in, as the API computes it: properties that hold for every rectangle and
// scheme (checked exhaustively over small ones), and a value CARTO itself published.
import { describe, expect, it } from 'vitest';
import { random, sampleTileRows } from '@maps-api/emulator';
import {
  OUTSIDE_PARTITIONS,
  gilbertPosition,
  readPartitionScheme,
  tilePartition,
  zoomPartitionRange,
  type PartitionScheme,
} from '../src/carto-partition.js';

/** The scheme of a metadata object the test knows to be valid. */
function schemeOf(metadata: unknown): PartitionScheme {
  const reading = readPartitionScheme(metadata);
  if (!reading.ok) throw new Error(reading.problem);
  return reading.scheme;
}

function curve(width: number, height: number): [number, number][] {
  const cells: [number, number][] = new Array(width * height);
  for (let x = 0; x < width; x++)
    for (let y = 0; y < height; y++) cells[gilbertPosition(x, y, width, height)] = [x, y];
  return cells;
}

describe('generalized Hilbert curve', () => {
  it('visits every cell of every rectangle up to 16 x 16 exactly once, each step to a neighbouring cell', () => {
    for (let width = 1; width <= 16; width++) {
      for (let height = 1; height <= 16; height++) {
        const cells = curve(width, height);
        expect(cells.filter(Boolean), `${width}x${height}`).toHaveLength(width * height);
        let diagonal = 0;
        for (let i = 1; i < cells.length; i++) {
          const [dx, dy] = [
            Math.abs(cells[i]![0] - cells[i - 1]![0]),
            Math.abs(cells[i]![1] - cells[i - 1]![1]),
          ];
          if (Math.max(dx, dy) !== 1) expect.fail(`${width}x${height}: step ${i} jumps (${dx}, ${dy})`);
          if (dx + dy === 2) diagonal++;
        }
        // Červený's curve needs a diagonal step only for some odd-by-even rectangles, and rarely.
        expect(diagonal, `${width}x${height}`).toBeLessThanOrEqual(Math.max(width, height));
      }
    }
  });

  it('starts at the corner (0, 0) and runs along the longer side first', () => {
    expect(curve(6, 2)[0]).toEqual([0, 0]);
    expect(curve(6, 2)[1]).toEqual([0, 1]);
    expect(gilbertPosition(0, 0, 17, 5)).toBe(0);
  });
});

describe('CARTO tile partitions', () => {
  it('matches the partition CARTO published for a tile of one of its tilesets', () => {
    // deck.gl's CARTO tile layer (development example): tileset scheme "0_12_9_4094_868_2216_3999_1" and the query
    // `WHERE z=12 AND y=1539 AND x=1006 AND carto_partition=1563`.
    const scheme = schemeOf({ carto_partition: '0_12_9_4094_868_2216_3999_1' });
    expect(tilePartition(scheme, 12, 1006, 1539)).toBe(1563);
  });

  it('puts every tile inside the box into its zoom range, in curve order, using every partition of the max zoom', () => {
    const rand = random(18);
    for (let trial = 0; trial < 60; trial++) {
      const zmax = 3 + Math.floor(rand() * 4);
      const zmin = Math.floor(rand() * 3);
      const zstep = 1 + Math.floor(rand() * 2);
      const side = 2 ** zmax;
      const [x1, x2] = [Math.floor(rand() * side), Math.floor(rand() * side)].sort((a, b) => a - b) as [
        number,
        number,
      ];
      const [y1, y2] = [Math.floor(rand() * side), Math.floor(rand() * side)].sort((a, b) => a - b) as [
        number,
        number,
      ];
      const scheme: PartitionScheme = {
        zmin,
        zmax,
        zstep,
        xmin: x1,
        xmax: x2,
        ymin: y1,
        ymax: y2,
        partitions: 1 + Math.floor(rand() * 4000),
      };
      for (let z = 0; z <= zmax + 1; z++) {
        const range = zoomPartitionRange(scheme, z);
        const shift = zmax - z;
        const box = [x1, x2, y1, y2].map((v) => Math.floor(v / 2 ** Math.max(shift, 0)));
        let previous = -1;
        const seen = new Set<number>();
        for (const [x, y] of z <= zmax ? curve(box[1]! - box[0]! + 1, box[3]! - box[2]! + 1) : []) {
          const p = tilePartition(scheme, z, box[0]! + x, box[2]! + y);
          if (p < range.min || p > range.max || p < previous) {
            expect.fail(
              `${JSON.stringify(scheme)} z${z}: ${p} after ${previous}, range ${range.min}..${range.max}`,
            );
          }
          previous = p;
          seen.add(p);
        }
        const tiles = (box[1]! - box[0]! + 1) * (box[3]! - box[2]! + 1);
        if (z === zmax && range.min !== OUTSIDE_PARTITIONS && tiles >= range.max - range.min + 1) {
          expect(seen.size, JSON.stringify(scheme)).toBe(range.max - range.min + 1);
        }
      }
      expect(tilePartition(scheme, zmax + 1, 0, 0)).toBe(OUTSIDE_PARTITIONS);
    }
  });

  it('gives the top zoom three quarters of the partitions and each lower zoom three quarters of the rest', () => {
    const scheme = schemeOf({ carto_partition: '0_4_0_15_0_15_4000_1' });
    const sizes = [0, 1, 2, 3, 4].map((z) => {
      const { min, max } = zoomPartitionRange(scheme, z);
      return max - min + 1;
    });
    expect(sizes[4]).toBe(3000);
    // start and end are rounded separately, so neighbouring zooms may share one partition
    expect(Math.abs(sizes[3]! - 750)).toBeLessThanOrEqual(1);
    expect(Math.abs(sizes[2]! - 187.5)).toBeLessThanOrEqual(1.5);
    expect(zoomPartitionRange(scheme, 4).max).toBe(4000);
  });

  it("reads CARTO's BigQuery tiler object form and the Maps API string form as the same scheme", () => {
    // carto-bq-tiler 0.1.10, carto_bq_tiler/mbtiles.py: the object written into the z = -1 row's TileJSON.
    const object = {
      version: 1,
      partitions: 3999,
      zstep: 1,
      zmin: 0,
      zmax: 12,
      xmin: 9,
      xmax: 4094,
      ymin: 868,
      ymax: 2216,
    };
    const fromObject = readPartitionScheme({ tilejson: '3.0.0', carto_partition: object });
    const fromString = readPartitionScheme({ carto_partition: '0_12_9_4094_868_2216_3999_1' });
    expect(fromObject).toMatchObject({ ok: true, form: 'object' });
    expect(fromString).toMatchObject({ ok: true, form: 'string' });
    expect(fromObject.ok && fromObject.scheme).toEqual(fromString.ok && fromString.scheme);
    // the same object as the JSON text carto-bq-tiler hands its partition function, with digit strings
    const asText = JSON.stringify({ ...object, zmax: '12', partitions: '3999' });
    expect(readPartitionScheme({ carto_partition: asText })).toMatchObject({
      ok: true,
      scheme: fromObject.ok && fromObject.scheme,
    });
    // CARTO's earlier readers knew no zstep: 1
    const { zstep: _zstep, ...withoutZstep } = object;
    expect(readPartitionScheme({ carto_partition: withoutZstep })).toMatchObject({
      ok: true,
      scheme: { zstep: 1 },
    });
  });

  it('refuses metadata it does not understand and says what it found, instead of guessing', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /not a JSON object: undefined/],
      [[1, 2], /not a JSON object: \[1,2\]/],
      [{ tilejson: '3.0.0', maxzoom: 14 }, /no carto_partition \(keys: tilejson, maxzoom\)/],
      [{ carto_partition: 12 }, /carto_partition 12: neither the object/],
      [{ carto_partition: '0_12_9_4094_868_2216_3999' }, /neither the object .* nor the string/],
      [{ carto_partition: '5_2_0_1_0_1_10_1' }, /zmin must not exceed zmax/],
      [{ carto_partition: '0_2_0_9_0_1_10_1' }, /not a tile range at zoom 2/],
      [{ carto_partition: '0_2_0_1_0_1_0_1' }, /partitions must be at least 1/],
      [
        {
          carto_partition: {
            version: 2,
            partitions: 10,
            zmin: 0,
            zmax: 1,
            xmin: 0,
            xmax: 1,
            ymin: 0,
            ymax: 1,
          },
        },
        /version 2; only version 1/,
      ],
      [
        { carto_partition: { version: 1, partitions: 10, zmin: 0, zmax: 1, xmin: 0, xmax: 1, ymin: 0 } },
        /ymax is undefined/,
      ],
      [
        {
          carto_partition: {
            version: 1,
            partitions: 10,
            zmin: 0,
            zmax: 1.5,
            xmin: 0,
            xmax: 1,
            ymin: 0,
            ymax: 1,
          },
        },
        /zmax is 1.5/,
      ],
      [{ carto_partition: '{"version": 1, "partitions": ' }, /neither the object/],
    ];
    for (const [metadata, problem] of cases) {
      const reading = readPartitionScheme(metadata);
      expect(reading.ok, JSON.stringify(metadata)).toBe(false);
      if (!reading.ok) expect(reading.problem).toMatch(problem);
    }
  });
});

describe('the sample tileset', () => {
  it('stores every tile in the partition its own metadata row gives, the way CARTO does', () => {
    const rows = sampleTileRows();
    const metadata = rows.filter((row) => row.z === -1);
    expect(metadata).toHaveLength(1);
    expect(metadata[0]!.carto_partition).toBeNull();
    const reading = readPartitionScheme(JSON.parse(metadata[0]!.data.toString('utf8')));
    // in the object form, as CARTO's BigQuery tiler writes it
    expect(reading).toMatchObject({
      ok: true,
      form: 'object',
      scheme: { zmin: 0, zmax: 15, zstep: 1, partitions: 3999 },
    });
    const scheme = reading.ok ? reading.scheme : undefined;
    const tiles = rows.filter((row) => row.z >= 0);
    for (const tile of tiles) {
      expect(tile.carto_partition, `${tile.z}/${tile.x}/${tile.y}`).toBe(
        tilePartition(scheme!, tile.z, tile.x, tile.y),
      );
    }
    const zmax = tiles.filter((tile) => tile.z === 15).map((tile) => tile.carto_partition!);
    expect(Math.min(...zmax)).toBeGreaterThanOrEqual(zoomPartitionRange(scheme!, 15).min);
    expect(new Set(zmax).size).toBeGreaterThan(1);
  });
});
