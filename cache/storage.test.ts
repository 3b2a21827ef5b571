import { describe, expect, it } from 'vitest';
import { storageSizes } from './storage.js';

describe('storage sizes from the container memory limit', () => {
  it('keeps malloc + Transient + reserve within the limit', () => {
    expect(storageSizes(1024)).toEqual({ mallocMb: 718, transientMb: 102 });
    expect(storageSizes(256)).toEqual({ mallocMb: 103, transientMb: 25 });
    for (const limit of [256, 512, 1024, 2048, 8192]) {
      const { mallocMb, transientMb } = storageSizes(limit);
      expect(mallocMb + transientMb + Math.max(128, Math.floor(limit * 0.2))).toBeLessThanOrEqual(limit);
    }
  });

  it('refuses limits too small for Varnish', () => {
    expect(() => storageSizes(128)).toThrow(/256/);
  });
});
