/** CLI: node --experimental-strip-types rollout/main.ts --namespace maps-api --release maps-api (KUBECONFIG). */
import { KubeConfig } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { verifyRollout, RolloutFailed } from './verify.ts';

const { values } = parseArgs({
  options: {
    namespace: { type: 'string', default: 'maps-api' },
    release: { type: 'string', default: 'maps-api' },
    'api-replicas': { type: 'string', default: '5' },
    'varnish-replicas': { type: 'string', default: '1' },
    'timeout-seconds': { type: 'string', default: '600' },
  },
});

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
try {
  await verifyRollout(kubeConfig, {
    namespace: values.namespace,
    targets: [
      { deployment: `${values.release}-api`, replicas: Number(values['api-replicas']) },
      { deployment: `${values.release}-varnish`, replicas: Number(values['varnish-replicas']) },
    ],
    timeoutMs: Number(values['timeout-seconds']) * 1000,
    pollMs: 5000,
    log: (line) => console.log(line),
  });
} catch (error) {
  console.error(error instanceof RolloutFailed ? error.message : error);
  process.exit(1);
}
