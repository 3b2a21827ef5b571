/** The images we build, scan, publish and deploy by digest, and the Trivy scans that gate them. */
import { dag, type Container, type Directory, type Platform } from '@dagger.io/dagger';
import { pinned } from './images.js';

export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;

/**
 * Every image the chart references (values.yaml `images.<chartKey>`), with the Dockerfile that builds it, its
 * repository in the project registry, and the key `publish` prints its digest reference under.
 */
export const OUR_IMAGES = [
  {
    chartKey: 'api',
    dockerfile: 'api/Dockerfile',
    repository: 'maps-api',
    output: 'api-image',
    scanPolicy: '',
  },
  {
    chartKey: 'varnish',
    dockerfile: 'images/varnish/Dockerfile',
    repository: 'varnish',
    output: 'varnish-image',
    // varnishd's C compiler (the varnish package depends on it): unfixed findings in those packages only; the file
    // says why and exactly which (images/image-contents.test.ts runs Trivy's own filter over it).
    scanPolicy: 'images/varnish/scan-policy.rego',
  },
] as const;

export type OurImage = (typeof OUR_IMAGES)[number];

/** One container per platform, from the repo's Dockerfile: what `scan` scans and `publish` pushes. */
export function buildVariants(source: Directory, image: OurImage): Container[] {
  return PLATFORMS.map((platform) =>
    source.dockerBuild({ dockerfile: image.dockerfile, platform: platform as Platform }),
  );
}

function trivy(): Container {
  return dag
    .container()
    .from(pinned('trivy'))
    .withMountedCache('/root/.cache/trivy', dag.cacheVolume('maps-api-trivy'));
}

const GATE = ['--severity', 'HIGH,CRITICAL', '--exit-code', '1'];

/**
 * Trivy over each platform variant of an image (the very containers given): fails on HIGH or CRITICAL findings, but
 * those the image's own scan policy waives (the Varnish image's compiler packages, unfixed only).
 */
export async function scanVariants(
  source: Directory,
  image: OurImage,
  variants: Container[],
): Promise<string> {
  const reports = await Promise.all(
    variants.map((variant, i) => {
      let scan = trivy().withFile('/scan/image.tar', variant.asTarball());
      const policy: string[] = [];
      if (image.scanPolicy) {
        scan = scan.withFile('/scan/policy.rego', source.file(image.scanPolicy));
        policy.push('--ignore-policy', '/scan/policy.rego');
      }
      return scan
        .withExec(['trivy', 'image', '--input', '/scan/image.tar', ...GATE, ...policy])
        .stdout()
        .then((report) => `== ${image.repository} ${PLATFORMS[i]}\n${report}`);
    }),
  );
  return reports.join('\n');
}

/** Trivy's misconfiguration scan of the chart, Terraform and every Dockerfile we build. */
export function scanConfig(source: Directory): Promise<string> {
  let scan = trivy()
    .withDirectory('/scan/charts', source.directory('charts'))
    .withDirectory('/scan/terraform', source.directory('terraform'));
  for (const image of OUR_IMAGES) {
    scan = scan.withFile(`/scan/${image.dockerfile}`, source.file(image.dockerfile));
  }
  return scan.withExec(['trivy', 'config', ...GATE, '/scan']).stdout();
}
