import { fileURLToPath } from 'node:url';

/** The chart's VCL directory: the single source of the cache policy, used by CI, the local stack and Kubernetes. */
export const POLICY_DIR = fileURLToPath(new URL('../charts/maps-api/files/vcl/', import.meta.url));
