/** `TracingStore`: publishes every store call on the `cacheorm:store` tracing channel. */
import { StoreDecorator, type StoreCall } from './decorator.js';
import { storeChannel } from '../../diagnostics/channels.js';
import { TRACES_ITS_CALLS, traceCall, tracesItsCalls } from '../calls/bounds.js';
import type { Store } from '../store.js';

/**
 * A store that traces every call of the store it wraps on the `cacheorm:store` tracing channel
 * (`tracing:cacheorm:store:start` / `:end` / `:asyncStart` / `:asyncEnd` / `:error`), with a
 * {@link StoreTraceContext}. Costs one property check per call while nobody subscribes. A cache
 * traces the calls of a store you pass with one; a `RedisStore` traces its calls itself (around one,
 * this store only forwards). Wrap your own store to trace calls made outside a cache.
 *
 * @example
 * const store = new TracingStore(new MemoryStore());
 * diagnostics_channel.tracingChannel<StoreTraceContext, StoreTraceContext>(CHANNELS.store).subscribe({ start: (ctx) => console.log(ctx.command), end() {}, asyncStart() {}, asyncEnd() {}, error() {} });
 * await store.get('k'); // logs "get"
 */
export class TracingStore extends StoreDecorator {
  /** Whether the wrapped store traces its calls already: then this one only forwards. */
  readonly #tracedInside: boolean;

  constructor(inner: Store) {
    super(inner);
    this.#tracedInside = tracesItsCalls(inner);
  }

  /** Always `true`: calls through this store are traced. @internal */
  override get [TRACES_ITS_CALLS](): boolean {
    return true;
  }

  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    return storeChannel.hasSubscribers && !this.#tracedInside ? traceCall(this.kind, call, run) : run();
  }
}
