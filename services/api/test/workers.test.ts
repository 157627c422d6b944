import request from 'supertest';
import { AS, startTestApi, type TestApi } from './support/api';

describe('GET /api/workers', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi();
  });
  afterEach(async () => {
    await t.close();
  });

  it('lists every registered worker with queue, retries, schedule and args schema', async () => {
    const res = await request(t.url).get('/api/workers').set(AS.client).expect(200);
    expect(res.body.workers.map((w: { name: string }) => w.name)).toEqual([
      'DataProcessingWorker', 'EchoWorker', 'FlakyWorker', 'GateWorker', 'HealthCheckWorker',
    ]);
    const byName = Object.fromEntries(res.body.workers.map((w: { name: string }) => [w.name, w]));
    expect(byName.DataProcessingWorker).toEqual({
      name: 'DataProcessingWorker',
      queue: 'default',
      maxRetries: 3,
      retryBackoff: true,
      retryBackoffMax: 600,
      cronSchedule: null,
      argsSchema: {
        type: 'object',
        properties: {
          userId: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          records: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 100 },
        },
        required: ['userId'],
      },
    });
    expect(byName.HealthCheckWorker).toMatchObject({ queue: 'critical', maxRetries: 1, cronSchedule: '*/10 * * * *', argsSchema: null });
  });
});
