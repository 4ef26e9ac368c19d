import type { RequestHandler } from 'express';

/*
 * Route handlers still running, whether or not their client is still connected: a client that hangs
 * up leaves no socket for shutdown to wait on, while its handler may be halfway through its writes.
 * Shutdown waits for this count to reach zero before it closes the database.
 */

let running = 0;
let whenIdle: { promise: Promise<void>; resolve: () => void } | null = null;

// One shared callback, so that counting a request allocates nothing but the promise's reaction.
function settled(): void {
  running -= 1;
  if (running === 0 && whenIdle) {
    whenIdle.resolve();
    whenIdle = null;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * The handler, counted from its start until the promise it returns settles (Express awaits it too, and
 * still sees the same promise). A handler that returns nothing is done when it returns.
 */
export function tracked(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const result: unknown = handler(req, res, next);
    if (isThenable(result)) {
      running += 1;
      result.then(settled, settled);
    }
    return result as ReturnType<RequestHandler>;
  };
}

/** How many route handlers are still running. */
export function handlersInFlight(): number {
  return running;
}

/** Resolves once no route handler is running (at once when none is). */
export function handlersSettled(): Promise<void> {
  if (running === 0) return Promise.resolve();
  if (!whenIdle) {
    let resolve = (): void => undefined;
    const promise = new Promise<void>((done) => {
      resolve = done;
    });
    whenIdle = { promise, resolve };
  }
  return whenIdle.promise;
}
