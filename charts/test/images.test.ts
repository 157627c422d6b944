import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART, find, podSpecs, render, renderError } from './helm';

const APP_VERSION: string = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')).appVersion;
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

/** Every pod's first container image, by owner name. */
const images = (options: Parameters<typeof render>[0] = {}) =>
  Object.fromEntries(podSpecs(render(options)).map(({ obj, pod }) => [obj.metadata.name, pod.containers[0].image]));

describe('images', () => {
  it("are tagged with the chart's appVersion by default", () => {
    expect(APP_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(images()).toEqual({
      'bullpen-api': `bullpen-api:${APP_VERSION}`,
      'bullpen-beat': `bullpen-worker:${APP_VERSION}`,
      'bullpen-worker-all': `bullpen-worker:${APP_VERSION}`,
      'bullpen-redis': 'docker.io/library/redis:7.4-alpine',
      'bullpen-smoke-test': `bullpen-api:${APP_VERSION}`,
    });
  });

  it('take a registry prefix and one tag for both Bullpen images, not for Redis', () => {
    expect(images({ values: { image: { registry: 'ghcr.io/acme/', tag: '1.2.3' } } })).toEqual({
      'bullpen-api': 'ghcr.io/acme/bullpen-api:1.2.3',
      'bullpen-beat': 'ghcr.io/acme/bullpen-worker:1.2.3',
      'bullpen-worker-all': 'ghcr.io/acme/bullpen-worker:1.2.3',
      'bullpen-redis': 'docker.io/library/redis:7.4-alpine',
      'bullpen-smoke-test': 'ghcr.io/acme/bullpen-api:1.2.3',
    });
  });

  it('are pinned by digest when one is given, each image on its own', () => {
    const values = {
      image: { registry: 'ghcr.io/acme', api: { digest: DIGEST_A } },
      redis: { image: { repository: 'mirror.example.com/redis', tag: '7.4.2', digest: DIGEST_B } },
    };
    expect(images({ values })).toEqual({
      'bullpen-api': `ghcr.io/acme/bullpen-api@${DIGEST_A}`,
      'bullpen-beat': `ghcr.io/acme/bullpen-worker:${APP_VERSION}`,
      'bullpen-worker-all': `ghcr.io/acme/bullpen-worker:${APP_VERSION}`,
      'bullpen-redis': `mirror.example.com/redis@${DIGEST_B}`,
      'bullpen-smoke-test': `ghcr.io/acme/bullpen-api@${DIGEST_A}`,
    });
  });

  it('use image.pullPolicy for Bullpen and redis.image.pullPolicy for Redis', () => {
    const objects = render({ values: { image: { pullPolicy: 'Never' }, redis: { image: { pullPolicy: 'Always' } } } });
    const policies = Object.fromEntries(podSpecs(objects).map(({ obj, pod }) => [obj.metadata.name, pod.containers[0].imagePullPolicy]));
    expect(policies).toEqual({
      'bullpen-api': 'Never',
      'bullpen-beat': 'Never',
      'bullpen-worker-all': 'Never',
      'bullpen-redis': 'Always',
      'bullpen-smoke-test': 'Never',
    });
    expect(find(render(), 'StatefulSet', 'bullpen-redis').spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it.each([
    ['the tag latest', { image: { tag: 'latest' } }],
    ['the Redis tag latest', { redis: { image: { tag: 'latest' } } }],
    ['a digest without its algorithm', { image: { api: { digest: 'a'.repeat(64) } } }],
    ['a short digest', { redis: { image: { digest: 'sha256:abc' } } }],
    ['an image as a bare string (the old shape)', { image: { api: 'bullpen-api' } }],
    ['the Redis image as a string (the old shape)', { redis: { image: 'redis:7' } }],
    ['an empty repository', { image: { worker: { repository: '' } } }],
  ])('the schema refuses %s', (_what, values) => {
    expect(renderError({ values })).toContain("values don't meet the specifications of the schema");
  });
});
