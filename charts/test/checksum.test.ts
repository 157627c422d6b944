import { podSpecs, render } from './helm';

/** checksum/config of every api, worker and beat pod template, by workload name. */
function configChecksums(values: object): Record<string, string> {
  return Object.fromEntries(
    podSpecs(render({ values }))
      .filter(({ obj }) => obj.kind === 'Deployment')
      .map(({ obj }) => [obj.metadata.name, obj.spec.template.metadata.annotations['checksum/config']]),
  );
}

describe('checksum annotations', () => {
  it('roll every app pod when the shared config changes', () => {
    const before = configChecksums({ config: { logLevel: 'info' } });
    const after = configChecksums({ config: { logLevel: 'debug' } });
    expect(Object.keys(before).sort()).toEqual(['bullpen-api', 'bullpen-beat', 'bullpen-worker-all']);
    for (const name of Object.keys(before)) {
      expect(before[name]).toMatch(/^[0-9a-f]{64}$/);
      expect(after[name]).not.toBe(before[name]);
    }
  });

  it('stay the same when nothing in the config changes', () => {
    // Replicas are not in the ConfigMap: scaling must not restart every pod.
    expect(configChecksums({ api: { replicas: 5 } })).toEqual(configChecksums({ api: { replicas: 2 } }));
  });

  it('roll Redis when its config changes', () => {
    const checksum = (maxmemory: string) =>
      podSpecs(render({ values: { redis: { maxmemory } } })).find(({ obj }) => obj.kind === 'StatefulSet')!.obj.spec.template.metadata
        .annotations['checksum/redis-config'];
    expect(checksum('100mb')).not.toBe(checksum('200mb'));
  });
});
