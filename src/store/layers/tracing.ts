/** `TracingStore`: publishes every store call on the `cacheorm:store` tracing channel. */
import { StoreDecorator, type StoreCall } from './decorator.js';
import { storeChannel, type StoreTraceContext } from '../../diagnostics/channels.js';

/**
 * A store that traces every call of the store it wraps on the `cacheorm:store` tracing channel
 * (`tracing:cacheorm:store:start` / `:end` / `:asyncStart` / `:asyncEnd` / `:error`), with a
 * {@link StoreTraceContext}. Costs one property check per call while nobody subscribes. Every cache
 * uses one for its repositories; wrap your own store to trace calls made outside a cache.
 *
 * @example
 * const store = new TracingStore(new RedisStore(process.env.REDIS_URL!));
 * diagnostics_channel.tracingChannel<StoreTraceContext, StoreTraceContext>(CHANNELS.store).subscribe({ start: (ctx) => console.log(ctx.command), end() {}, asyncStart() {}, asyncEnd() {}, error() {} });
 * await store.get('k'); // logs "get"
 */
export class TracingStore extends StoreDecorator {
  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    if (!storeChannel.hasSubscribers) return run();
    const context: StoreTraceContext = { store: this.kind, command: call.command };
    if (call.key !== undefined) context.key = call.key;
    if (call.count !== undefined) context.count = call.count;
    return storeChannel.tracePromise(run, context);
  }
}
