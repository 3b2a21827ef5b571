import { describe, expect, it } from 'vitest';
import { parseWrk } from './wrk.js';

const report = `Running 5s test @ http://127.0.0.1:18080/maps/tileset/bench.bench.tiles/10/512/384
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms  600.00us  20.00ms   90.00%
    Req/Sec    22.00k     1.00k   25.00k    70.00%
  Latency Distribution
     50%    0.95ms
     75%    1.20ms
     90%    1.60ms
     99%  850.00us
  219000 requests in 5.00s, 700.00MB read
Requests/sec:  43800.12
Transfer/sec:    140.00MB
`;

describe('wrk report parsing', () => {
  it('reads throughput and p99 in milliseconds whatever the unit', () => {
    expect(parseWrk(report)).toMatchObject({ requestsPerSec: 43800.12, p50Ms: 0.95, p99Ms: 0.85, errors: 0 });
    expect(parseWrk(report.replace('850.00us', '1.50s')).p99Ms).toBe(1500);
  });

  it('reads the answers completed and the bytes read per answer', () => {
    const { requests, bytesPerAnswer } = parseWrk(report);
    expect(requests).toBe(219000);
    expect(bytesPerAnswer).toBeCloseTo((700 * 1024 * 1024) / 219000, 6);
  });

  it('counts non-2xx answers and socket errors as failures', () => {
    const failing = `${report}  Socket errors: connect 0, read 3, write 0, timeout 2\n  Non-2xx or 3xx responses: 7\n`;
    expect(parseWrk(failing).errors).toBe(12);
  });

  it('refuses output it does not understand', () => {
    expect(() => parseWrk('unable to connect')).toThrow(/unexpected wrk output/);
  });
});
