import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CHART, envOf, find, render } from './helm';

describe('helm test hook', () => {
  it('is a test hook Pod that runs the smoke test in the API image with a client token', () => {
    const pod = find(render(), 'Pod', 'bullpen-smoke-test');
    expect(pod.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
    expect(pod.spec.restartPolicy).toBe('Never');
    const container = pod.spec.containers[0];
    expect(container.image).toBe('bullpen-api:0.1.0');
    expect(container.command).toEqual(['node', '-e']);
    expect(container.args[0]).toContain("call('POST', '/api/jobs'");
    expect(envOf(container)).toEqual({
      API_URL: 'http://bullpen-api:8080',
      API_TOKEN: { secretKeyRef: { name: 'bullpen-api', key: 'client-token' } },
      TIMEOUT_SECONDS: '120',
    });
  });

  it('ships a smoke-test script that parses', () => {
    expect(() => execFileSync(process.execPath, ['--check', join(CHART, 'files', 'smoke-test.js')])).not.toThrow();
  });
});
