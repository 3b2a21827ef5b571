/**
 * Every container image the pipeline runs, pinned by tag AND digest, in this one place.
 *
 * Honesty note: no container registry is reachable where this module was written, so no digest here was resolved by
 * pulling. Each digest was read from public source files that pin the same tag (the `evidence` field says how many
 * independent files agreed). `verified: false` marks that nobody has checked it against the registry yet; run
 * `docker buildx imagetools inspect <tag>` once with registry access and flip the flag (docs/ci-cd.md, "Image pins").
 */
export interface PinnedImage {
  readonly tag: string;
  readonly digest: string;
  readonly evidence: string;
  readonly verified: boolean;
}

export const IMAGES = {
  node: {
    tag: 'docker.io/library/node:22.22.0-bookworm-slim',
    digest: 'sha256:dd9d21971ec4395903fa6143c2b9267d048ae01ca6d3ea96f16cb30df6187d94',
    evidence: 'same tag+digest in 8 independent public files (code search, 2026)',
    verified: false,
  },
  // Its version must equal TERRAFORM_VERSION (ci/test/tool-versions.test.ts).
  terraform: {
    tag: 'docker.io/hashicorp/terraform:1.11.4',
    digest: 'sha256:5820b87995595425074f881500a037b0ccd41158d0d9b44d78f5f120612f2d3d',
    evidence: 'one public file',
    verified: false,
  },
  trivy: {
    tag: 'docker.io/aquasec/trivy:0.69.3',
    digest: 'sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c',
    evidence: '6 public files (3 others pin a different digest, probably a single-platform manifest)',
    verified: false,
  },
  gcloud: {
    tag: 'gcr.io/google.com/cloudsdktool/google-cloud-cli:562.0.0-slim',
    digest: 'sha256:0da2de42ae51cd6092b5caf7c96d25003659fd15548760eb4c50c2623e7bf9c2',
    evidence: '2 public files',
    verified: false,
  },
} as const satisfies Record<string, PinnedImage>;

export type ImageName = keyof typeof IMAGES;

/** The reference a container is started from: tag for humans, digest for the engine (the digest wins). */
export function pinned(name: ImageName): string {
  const image = IMAGES[name];
  return `${image.tag}@${image.digest}`;
}
