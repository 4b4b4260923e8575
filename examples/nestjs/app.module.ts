import { Injectable, Module } from '@nestjs/common';
import type { Cache, CacheStats } from 'cacheorm';
import { CacheOrmModule, InjectCache } from 'cacheorm/nestjs';
import { Session } from './session.entity.js';
import { SessionsService } from './sessions.service.js';

/** A feature module: registers the repositories it needs and the services using them. */
@Module({
  imports: [CacheOrmModule.forFeature([Session])],
  providers: [SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}

/** Injects the cache itself, e.g. for a health or metrics endpoint. */
@Injectable()
export class CacheHealth {
  constructor(@InjectCache() private readonly cache: Cache) {}

  report(): { store: string; stats: CacheStats } {
    return { store: this.cache.store.kind, stats: this.cache.stats() };
  }
}

/**
 * The root module: one cache for the application (global), on Redis when REDIS_URL is set, on the
 * embedded memory store otherwise. It is closed when the application closes.
 */
@Module({
  imports: [CacheOrmModule.forRoot({ redis: process.env.REDIS_URL, prefix: 'nest-example' }), SessionsModule],
  providers: [CacheHealth],
})
export class AppModule {}
