"""The Celery side of bench/celery.ts: a no-op task on Redis, the same workload as the BullMQ
benches. Broker URL, key prefix and queue come from the environment, so a run stays under its
own keys (kombu's global_keyprefix) and the driver can delete them afterwards.

    python3 bench_app.py fill N        # enqueue N no-op tasks
    python3 -m celery -A bench_app worker -Q "$BENCH_CELERY_QUEUE" ...
"""
import os
import sys

from celery import Celery

QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "bench")

app = Celery("bench_app", broker=os.environ.get("BENCH_CELERY_BROKER", "redis://127.0.0.1:6379/0"))
app.conf.update(
    broker_transport_options={"global_keyprefix": os.environ.get("BENCH_CELERY_PREFIX", "bench-celery:")},
    task_default_queue=QUEUE,
    task_ignore_result=True,  # like the BullMQ side, which stores no result for a no-op
    worker_hijack_root_logger=True,
    broker_connection_retry_on_startup=True,
)


@app.task(name="noop")
def noop(i):
    return None


def fill(count):
    with app.producer_or_acquire() as producer:
        for i in range(count):
            noop.apply_async((i,), producer=producer)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "fill":
        fill(int(sys.argv[2]))
    else:
        sys.exit("usage: bench_app.py fill N")
