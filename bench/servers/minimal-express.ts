// The baseline of bench/http-enqueue.ts: the smallest Express 5 app that enqueues a job from a
// JSON body with BullMQ's `queue.add` (and jobs with `queue.addBulk`), on the same Redis. No
// auth, no validation, no metrics.
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queue = new Queue('default', { connection, prefix: process.env.BULLPEN_PREFIX ?? 'bull' });

const app = express();
app.use(express.json());
app.post('/api/jobs', async (req, res) => {
  const job = await queue.add(req.body.worker, req.body.args);
  res.status(202).json({ id: job.id });
});
app.post('/api/jobs/bulk', async (req, res) => {
  const jobs = await queue.addBulk(req.body.jobs.map((j: { worker: string; args: unknown }) => ({ name: j.worker, data: j.args })));
  res.status(202).json({ ids: jobs.map((j) => j.id) });
});

const server = app.listen(0, () => process.send!({ port: (server.address() as AddressInfo).port, pid: process.pid }));
const stop = () => server.close(() => void queue.close().then(() => connection.quit()).then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
