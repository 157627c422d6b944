import { CHART, helm, PROFILES, type Profile } from './helm';

describe('helm lint --strict', () => {
  it.each(Object.keys(PROFILES) as Profile[])('passes for the %s profile', (profile) => {
    const res = helm(['lint', '--strict', CHART, ...PROFILES[profile].flatMap((f) => ['--values', f])]);
    expect(`${res.stdout}${res.stderr}`).toContain('0 chart(s) failed');
    expect(res.status).toBe(0);
  });
});
