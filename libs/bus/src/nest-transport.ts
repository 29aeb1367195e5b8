// A NestJS custom transport over the bus consumer, so sink handlers are `@EventPattern` methods that get the
// inbox dedup, retries, DLQ and the database transaction of BusConsumer. A pattern is a record's full name
// (`esb.canonical.Order`, for delivery topics carrying several types) or a topic name (`esb.events.order`).
import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { Server, BaseRpcContext, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom, isObservable, throwError, type Observable } from 'rxjs';
import type { Kafka } from 'kafkajs';
import type { Store } from '@esb/store';
import { BusConsumer, type BusMessage, type HandlerContext, type BusConsumerOptions } from './consumer.ts';
import type { AvroSerde } from './serde.ts';
import type { Logger } from './logger.ts';
import { EsbError } from './errors.ts';

/** What an `@Ctx()` parameter receives: the message and the transaction of its inbox row. */
export class EsbContext extends BaseRpcContext<[BusMessage, HandlerContext]> {
  get message(): BusMessage {
    return this.args[0];
  }
  get tx(): HandlerContext['tx'] {
    return this.args[1].tx;
  }
  get attempt(): number {
    return this.args[1].attempt;
  }
  get log(): Logger {
    return this.args[1].log;
  }
}

/**
 * Nest's default RPC exception filter turns every handler error into `{status: 'error', message: 'Internal server
 * error'}`, which would hide whether the error is retriable and why it failed. This filter hands the error to the
 * bus consumer as thrown; apply it with `app.useGlobalFilters(new PassThroughRpcFilter())`.
 */
@Catch()
export class PassThroughRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

export interface EsbTransportOptions extends Omit<BusConsumerOptions, 'handler'> {
  kafka: Kafka;
  serde: AvroSerde;
  store: Store;
}

export class EsbTransport extends Server implements CustomTransportStrategy {
  private consumer?: BusConsumer;

  constructor(private readonly options: EsbTransportOptions) {
    super();
  }

  /** Handler lookup: the record type first, then the topic. */
  private handlerFor(msg: BusMessage) {
    return this.getHandlerByPattern(msg.recordType) ?? this.getHandlerByPattern(msg.topic);
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      this.consumer = new BusConsumer({
        ...this.options,
        handler: async (msg, ctx) => {
          const handler = this.handlerFor(msg);
          if (!handler) throw new EsbError('ESB_NO_HANDLER', `no @EventPattern handler for ${msg.recordType} (topic ${msg.topic})`);
          const result: unknown = await handler(msg.value, new EsbContext([msg, ctx]));
          // A handler that returns an Observable is complete when the Observable is.
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        },
      });
      await this.consumer.start();
      callback();
    } catch (e) {
      callback(e);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  on(): void {
    throw new Error('EsbTransport has no events to listen to; use the logger and metrics');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('EsbTransport is not listening yet');
    return this.consumer as T;
  }
}
