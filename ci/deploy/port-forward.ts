/**
 * A loopback port-forward to one ready pod behind a Service (the Kubernetes API's port-forward, as kubectl does):
 * test traffic goes to 127.0.0.1 only, never to pod or Service addresses.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CoreV1Api, PortForward, type KubeConfig } from '@kubernetes/client-node';

export interface Forward {
  url: string;
  port: number;
  pod: string;
  close: () => Promise<void>;
}

export async function forwardToService(
  kubeConfig: KubeConfig,
  namespace: string,
  service: string,
  targetPort: number,
): Promise<Forward> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const svc = await core.readNamespacedService({ name: service, namespace });
  const selector = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await core.listNamespacedPod({ namespace, labelSelector: selector });
  const pod = pods.items.find(
    (p) =>
      !p.metadata?.deletionTimestamp &&
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  if (!pod?.metadata?.name) throw new Error(`no ready pod behind service ${namespace}/${service}`);
  return forwardToPod(kubeConfig, namespace, pod.metadata.name, targetPort);
}

export async function forwardToPod(
  kubeConfig: KubeConfig,
  namespace: string,
  pod: string,
  targetPort: number,
): Promise<Forward> {
  const forward = new PortForward(kubeConfig, true);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    forward.portForward(namespace, pod, [targetPort], socket, null, socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pod,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
