// The baseline of bench/memory.ts: a raw BullMQ Worker process doing what DataProcessingWorker
// does (same rows, same output, progress 100, same result), with the same concurrency and the
// same retention as Bullpen's worker. Reports readiness to the parent over IPC.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 8);
const completedSeconds = Number(process.env.JOB_RETENTION_COMPLETED_SECONDS ?? 0);
const completedCount = Number(process.env.JOB_RETENTION_COMPLETED_COUNT ?? 10_000);

const worker = new Worker(
  'default',
  async (job) => {
    const { userId, format = 'json', records = 100 } = job.data as { userId: number; format?: 'json' | 'csv'; records?: number };
    const rows = Array.from({ length: records }, (_, i) => ({ id: i + 1, userId, value: (i * 7919) % 1000 }));
    const output = format === 'json' ? JSON.stringify(rows) : ['id,userId,value', ...rows.map((r) => `${r.id},${r.userId},${r.value}`)].join('\n');
    await job.updateProgress(100);
    return { userId, format, recordsProcessed: records, outputBytes: Buffer.byteLength(output) };
  },
  {
    connection,
    prefix: process.env.BULLPEN_PREFIX ?? 'bull',
    concurrency,
    removeOnComplete: completedSeconds > 0 ? { age: completedSeconds, count: completedCount } : { count: completedCount },
    removeOnFail: { age: 604_800, count: 10_000 },
  },
);
worker.on('error', (err) => console.error(err));

void worker.waitUntilReady().then(() => process.send!({ pid: process.pid }));
const stop = () => void worker.close().then(() => connection.quit()).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
