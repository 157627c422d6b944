import { closeDefaultProducer } from '@bullpen/core';
import { DataProcessingWorker } from '@bullpen/jobs';

async function main(): Promise<void> {
  const job = await DataProcessingWorker.performAsync({ userId: 42, format: 'csv' });
  console.log(`enqueued ${job.worker} as job ${job.id} on the ${job.queue} queue`);
  await closeDefaultProducer();
}

main().catch((err) => {
  console.error(`enqueue failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
