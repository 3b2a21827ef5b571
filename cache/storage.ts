/**
 * Varnish storage sizes from the container memory limit (MiB). The chart applies the same formula:
 *   transient = 10 % of the limit      (-s Transient=malloc,<transient>M: short-lived and pass objects)
 *   reserve   = max(128, 20 % of limit) (threads, workspaces, ~1 KiB per object outside malloc, fragmentation)
 *   malloc    = limit - reserve - transient   (-s malloc,<malloc>M: the cache itself)
 */
export interface StorageSizes {
  mallocMb: number;
  transientMb: number;
}

export function storageSizes(containerLimitMb: number): StorageSizes {
  if (!Number.isInteger(containerLimitMb) || containerLimitMb < 256) {
    throw new Error(`container memory limit must be an integer >= 256 MiB, got ${containerLimitMb}`);
  }
  const transientMb = Math.floor(containerLimitMb * 0.1);
  const reserveMb = Math.max(128, Math.floor(containerLimitMb * 0.2));
  return { mallocMb: containerLimitMb - reserveMb - transientMb, transientMb };
}
