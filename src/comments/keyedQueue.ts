/**
 * Runs async tasks one at a time per key, in arrival order. Votes on one comment go through it because
 * the embedded FerretDB (SQLite backend) does not isolate concurrent updates of one document across
 * connections: parallel `$inc`s lose increments there. MongoDB needs no help; this keeps both exact
 * within one process.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
