/**
 * Runs an async job at most once at a time, and while it runs keeps only the newest request:
 * dragging the scale slider across nine positions during one decode then costs two decodes
 * (the running one and the last position), not nine queued in the worker.
 */
export function latestOnly<A>(run: (arg: A) => Promise<void>): (arg: A) => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: { arg: A; waiters: (() => void)[] } | undefined;

  const pump = async (arg: A): Promise<void> => {
    try {
      await run(arg);
    } finally {
      const next = queued;
      queued = undefined;
      if (next) {
        running = pump(next.arg);
        void running.finally(() => next.waiters.forEach((w) => w()));
      } else {
        running = undefined;
      }
    }
  };

  return (arg: A) => {
    if (!running) {
      running = pump(arg);
      return running.catch(() => undefined);
    }
    return new Promise<void>((resolve) => {
      const waiters = queued?.waiters ?? [];
      waiters.push(resolve);
      queued = { arg, waiters };
    });
  };
}
