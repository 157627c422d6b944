import { formatAge, renderStatus, renderTable, type StatusReport } from '../src';
import { group, HPA, KEDA, queueStats } from './groups';


describe('status table', () => {
  const report: StatusReport = {
    namespace: 'bullpen-production',
    groups: [
      group('all', { desiredReplicas: 3, readyReplicas: 1, autoscaler: HPA }),
      group('critical', { queues: ['critical'], desiredReplicas: 2, readyReplicas: 2, deployment: 'bullpen-worker-critical', autoscaler: { ...KEDA, pausedReplicas: 2 } }),
      group('batch', { queues: ['low'], desiredReplicas: 0, readyReplicas: 0, deployment: 'bullpen-worker-batch' }),
    ],
    queues: [queueStats('critical', { failed: 3 }), queueStats('default', { ready: 1234, oldestSeconds: 250, active: 24, delayed: 7 }), queueStats('low', { paused: true })],
    queueSource: 'http://127.0.0.1:8080/api/queues',
  };

  it('shows per group desired and ready replicas, the autoscaler with its range, and per queue backlog, age and failures', () => {
    expect(renderStatus(report)).toBe(
      [
        'GROUP      DESIRED   READY   AUTOSCALER                        QUEUES                 DEPLOYMENT',
        'all        3         1       hpa min 3 max 12                  critical,default,low   bullpen-worker-all',
        'critical   2         2       keda paused at 2 (min 1 max 10)   critical               bullpen-worker-critical',
        'batch      0         0       none                              low                    bullpen-worker-batch',
        '',
        'QUEUE      BACKLOG   OLDEST   ACTIVE   DELAYED   FAILED   PAUSED   GROUPS',
        'critical   0         -        0        0         3        no       all,critical',
        'default    1234      4m10s    24       7         0        no       all',
        'low        0         -        0        0         0        yes      all,batch',
      ].join('\n'),
    );
  });

  it('still shows the Kubernetes part when the queues cannot be read, and says why', () => {
    const text = renderStatus({ ...report, queues: null, queueError: 'GET http://127.0.0.1:8080/api/queues failed: ECONNREFUSED' });
    expect(text).toContain('hpa min 3 max 12');
    expect(text).toContain('queues: unavailable (GET http://127.0.0.1:8080/api/queues failed: ECONNREFUSED); the Kubernetes part above is current');
  });

  it('says how to configure the API when none is', () => {
    expect(renderStatus({ ...report, queues: null, queueSource: null })).toContain('queues: not read (no API configured: set --api-url or BULLPEN_API_URL');
  });

  it('says so when the namespace has no worker groups', () => {
    expect(renderStatus({ ...report, groups: [], queues: null, queueSource: null })).toContain(
      'no Bullpen worker groups in namespace bullpen-production',
    );
  });

  it('marks a queue no group consumes', () => {
    expect(renderStatus({ ...report, groups: [] })).toMatch(/critical .* \(none\)/);
  });
});

describe('renderTable', () => {
  it('pads every column but the last to its widest cell, three spaces apart, without trailing spaces', () => {
    expect(renderTable(['A', 'LONG HEADER', 'Z'], [['xxxx', 'y', ''], ['', '', 'last']])).toBe(
      ['A      LONG HEADER   Z', 'xxxx   y', '                     last'].join('\n'),
    );
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [61, '1m01s'],
    [3599, '59m59s'],
    [3600 * 5 + 120, '5h2m'],
    [86_400 * 3 + 3600 * 4, '3d4h'],
  ])('%s seconds reads %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});
