import { envOf, find, render, type RenderOptions } from './helm';

const APPS = ['bullpen-api', 'bullpen-beat', 'bullpen-worker-all'];

function nodeOptions(options: RenderOptions = {}): Record<string, string | undefined> {
  const objects = render(options);
  return Object.fromEntries(APPS.map((name) => [name, envOf(find(objects, 'Deployment', name).spec.template.spec.containers[0]).NODE_OPTIONS]));
}

describe('V8 heap limit (NODE_OPTIONS)', () => {
  it('is 75 % of each container\'s memory limit, so a growing heap fails inside the process before the kernel OOM-kills it', () => {
    // Defaults: api 512Mi, beat 256Mi, workers 512Mi.
    expect(nodeOptions()).toEqual({
      'bullpen-api': '--max-old-space-size=384',
      'bullpen-beat': '--max-old-space-size=192',
      'bullpen-worker-all': '--max-old-space-size=384',
    });
    // Production: api and workers 1Gi.
    expect(nodeOptions({ profile: 'production' })).toMatchObject({ 'bullpen-api': '--max-old-space-size=768', 'bullpen-worker-all': '--max-old-space-size=768' });
  });

  it.each([
    ['2Gi', 1536],
    ['1G', 715], // 10^9 bytes = 953.7 MiB
    ['800M', 572],
    ['768Mi', 576],
    [1073741824, 768], // bytes
  ])('reads the memory limit %p as %d MiB of heap', (memory, heapMiB) => {
    const values = { workers: { defaults: { resources: { requests: { memory: '256Mi' }, limits: { memory } } } } };
    expect(nodeOptions({ values })['bullpen-worker-all']).toBe(`--max-old-space-size=${heapMiB}`);
  });

  it('is left out without a memory limit', () => {
    const values = { api: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: null } } };
    expect(nodeOptions({ values })['bullpen-api']).toBeUndefined();
  });

  it('is left out where the user sets NODE_OPTIONS, in the workload\'s extraEnv or in config.extraEnv', () => {
    const own = nodeOptions({ values: { beat: { extraEnv: { NODE_OPTIONS: '--max-old-space-size=100' } } } });
    expect(own['bullpen-api']).toBe('--max-old-space-size=384');
    // Only the user's value, once: no duplicate env entry.
    const beat = find(render({ values: { beat: { extraEnv: { NODE_OPTIONS: '--max-old-space-size=100' } } } }), 'Deployment', 'bullpen-beat').spec.template.spec.containers[0];
    expect(beat.env.filter((e: { name: string }) => e.name === 'NODE_OPTIONS')).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=100' }]);
    // In the ConfigMap: an env entry of the chart's would override it, so there is none.
    expect(nodeOptions({ values: { config: { extraEnv: { NODE_OPTIONS: '--enable-source-maps' } } } })).toEqual({ 'bullpen-api': undefined, 'bullpen-beat': undefined, 'bullpen-worker-all': undefined });
  });
});
