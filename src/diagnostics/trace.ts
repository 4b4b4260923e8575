/** Tracing an async iteration on a tracing channel, the way `tracePromise` traces a promise. @internal */
import type { TracingPublisher } from './channels.js';

/** A context Node's tracing channels fill in: `result` on success, `error` on failure. @internal */
interface TraceContext {
  result?: unknown;
  error?: unknown;
}

/**
 * `iterator`, traced on `channel` like one promise: `start` and `end` at the first `next()`, then
 * `asyncStart` and `asyncEnd` when it finishes (done, stopped early, or failed after `error`); `result`
 * is the number of items yielded. Call it only while the channel has subscribers.
 * @internal
 */
export function traceIterator<T, C extends TraceContext & object>(channel: TracingPublisher<C>, iterator: AsyncIterator<T>, context: C): AsyncIterator<T> {
  let started = false;
  let finished = false;
  let yielded = 0;
  const begin = () => {
    if (started) return;
    started = true;
    channel.start.publish(context);
    channel.end.publish(context);
  };
  const finish = (failed: boolean, error?: unknown) => {
    if (finished) return;
    finished = true;
    if (failed) {
      context.error = error;
      channel.error.publish(context);
    } else {
      context.result = yielded;
    }
    channel.asyncStart.publish(context);
    channel.asyncEnd.publish(context);
  };
  return {
    async next() {
      begin();
      try {
        const step = await iterator.next();
        if (step.done) finish(false);
        else yielded++;
        return step;
      } catch (err) {
        finish(true, err);
        throw err;
      }
    },
    async return(value?: unknown) {
      begin();
      try {
        const step = iterator.return ? await iterator.return(value) : ({ done: true, value } as IteratorResult<T>);
        finish(false);
        return step;
      } catch (err) {
        finish(true, err);
        throw err;
      }
    },
  };
}
