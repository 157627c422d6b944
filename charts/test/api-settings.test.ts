import { envOf, find, ofKind, render, renderError, type K8sObject, type RenderOptions } from './helm';

const apiPod = (options: RenderOptions = {}) => find(render(options), 'Deployment', 'bullpen-api').spec.template.spec;
const apiEnv = (options: RenderOptions = {}) => envOf(apiPod(options).containers[0]);
const decode = (secret: K8sObject, key: string) => Buffer.from(secret.data[key], 'base64').toString();

describe('API settings', () => {
  it('sets the rate limits, request timeout and dashboard actions from the values, with the documented defaults', () => {
    expect(apiEnv()).toMatchObject({
      API_RATE_REQUESTS_PER_SECOND: '100',
      API_RATE_JOBS_PER_SECOND: '1000',
      API_RATE_BURST_SECONDS: '2',
      API_REQUEST_TIMEOUT_SECONDS: '30',
      DASHBOARD_ACTIONS: 'retry',
    });
    const values = {
      api: { rateLimit: { requestsPerSecond: 0, jobsPerSecond: 50, burstSeconds: 5 }, requestTimeoutSeconds: 10, dashboard: { actions: ['retry', 'pause', 'clean'] } },
    };
    expect(apiEnv({ values })).toMatchObject({
      API_RATE_REQUESTS_PER_SECOND: '0',
      API_RATE_JOBS_PER_SECOND: '50',
      API_RATE_BURST_SECONDS: '5',
      API_REQUEST_TIMEOUT_SECONDS: '10',
      DASHBOARD_ACTIONS: 'retry,pause,clean',
    });
    expect(apiEnv({ values: { api: { dashboard: { actions: [] } } } }).DASHBOARD_ACTIONS).toBe('none');
    expect(() => render({ values: { api: { dashboard: { actions: ['delete-everything'] } } } })).toThrow(/delete-everything|enum|must be one of/);
  });

  it('leaves HOST unset, so the API listens on every interface of its pod', () => {
    expect(apiEnv()).not.toHaveProperty('HOST');
  });

  it('gives every process the same WORKER_MAX_ARGS_BYTES from jobs.maxArgsBytes', () => {
    const objects = render({ values: { jobs: { maxArgsBytes: 65536 } } });
    expect(find(objects, 'ConfigMap', 'bullpen-env').data.WORKER_MAX_ARGS_BYTES).toBe('65536');
    for (const name of ['bullpen-api', 'bullpen-worker-all', 'bullpen-beat']) {
      const container = find(objects, 'Deployment', name).spec.template.spec.containers[0];
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'bullpen-env' } }]);
      expect(envOf(container)).not.toHaveProperty('WORKER_MAX_ARGS_BYTES');
    }
    expect(find(render(), 'ConfigMap', 'bullpen-env').data.WORKER_MAX_ARGS_BYTES).toBe('262144');
  });

  it('generates API_ID_SECRET (32+ random characters) in its own Secret, for the API pods only', () => {
    const objects = render();
    const secret = find(objects, 'Secret', 'bullpen-api-id');
    expect(decode(secret, 'id-secret')).toMatch(/^[A-Za-z0-9]{32,}$/);
    expect(apiEnv().API_ID_SECRET).toEqual({ secretKeyRef: { name: 'bullpen-api-id', key: 'id-secret' } });
    for (const name of ['bullpen-worker-all', 'bullpen-beat']) {
      expect(envOf(find(objects, 'Deployment', name).spec.template.spec.containers[0])).not.toHaveProperty('API_ID_SECRET');
    }
    // A second render (a fresh install: no live Secret to keep) draws a new one.
    expect(decode(find(render(), 'Secret', 'bullpen-api-id'), 'id-secret')).not.toBe(decode(secret, 'id-secret'));
  });

  it('reads API_ID_SECRET from the user\'s Secret instead, and then generates none', () => {
    const objects = render({ values: { api: { idSecret: { existingSecret: 'my-ids', key: 'hmac' } } } });
    expect(ofKind(objects, 'Secret').map((s) => s.metadata.name)).not.toContain('bullpen-api-id');
    expect(envOf(find(objects, 'Deployment', 'bullpen-api').spec.template.spec.containers[0]).API_ID_SECRET).toEqual({ secretKeyRef: { name: 'my-ids', key: 'hmac' } });
  });

  it('generates API tokens of 32 random letters and digits (190 bits, above the API\'s 128)', () => {
    const secret = find(render(), 'Secret', 'bullpen-api');
    for (const key of ['admin-token', 'client-token']) {
      const token = decode(secret, key);
      expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(token.length * Math.log2(62)).toBeGreaterThanOrEqual(128);
    }
  });

  describe('tokens file (API_TOKENS_FILE)', () => {
    const values = { api: { auth: { tokensFile: { existingSecret: 'shop-tokens', key: 'tokens.yaml' } } } };

    it('mounts only that key of the user\'s Secret, read-only, and points API_TOKENS_FILE at it instead of API_TOKENS', () => {
      const pod = apiPod({ values });
      const env = envOf(pod.containers[0]);
      expect(env.API_TOKENS_FILE).toBe('/etc/bullpen/api-tokens/tokens.yaml');
      expect(env).not.toHaveProperty('API_TOKENS');
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'api-tokens', mountPath: '/etc/bullpen/api-tokens', readOnly: true });
      expect(pod.volumes).toContainEqual({
        name: 'api-tokens',
        secret: { secretName: 'shop-tokens', defaultMode: 0o440, items: [{ key: 'tokens.yaml', path: 'tokens.yaml' }] },
      });
    });

    it('generates no token Secret; KEDA and `helm test` read the client token from the same Secret', () => {
      const objects = render({ values: { ...values, workers: { defaults: { keda: { enabled: true } } } } });
      expect(ofKind(objects, 'Secret').map((s) => s.metadata.name).sort()).toEqual(['bullpen-api-id', 'bullpen-redis']);
      expect(find(objects, 'TriggerAuthentication', 'bullpen-api-token').spec.secretTargetRef[0]).toMatchObject({ name: 'shop-tokens', key: 'client-token' });
      expect(envOf(find(objects, 'Pod', 'bullpen-smoke-test').spec.containers[0]).API_TOKEN).toEqual({ secretKeyRef: { name: 'shop-tokens', key: 'client-token' } });
    });

    it('refuses a tokens file together with api.auth.existingSecret, as the API would at start', () => {
      const both = { api: { auth: { existingSecret: 'my-tokens', tokensFile: { existingSecret: 'shop-tokens' } } } };
      expect(renderError({ values: both })).toContain('api.auth: set existingSecret (API_TOKENS) or tokensFile.existingSecret (API_TOKENS_FILE), not both');
    });

    it('keeps the API_TOKENS path working when no file is set', () => {
      expect(apiEnv().API_TOKENS).toEqual({ secretKeyRef: { name: 'bullpen-api', key: 'api-tokens' } });
      expect(apiPod().volumes.map((v: { name: string }) => v.name)).toEqual(['tmp']);
    });
  });
});
