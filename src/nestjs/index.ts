/**
 * cacheorm for NestJS: `CacheOrmModule.forRoot(options)` in the root module, `forFeature([Entity])` in
 * feature modules, `@InjectRepository(Entity)` and `@InjectCache()` in services. NestJS
 * (`@nestjs/common`, `@nestjs/core`) and `rxjs` are optional peer dependencies: only this entry point
 * needs them.
 *
 * @example
 * import { Injectable, Module } from '@nestjs/common';
 * import { Repository } from 'cacheorm';
 * import { CacheOrmModule, InjectRepository } from 'cacheorm/nestjs';
 *
 * @Injectable()
 * export class SessionService {
 *   constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}
 *   find(tenantId: string) { return this.sessions.find({ tenantId }).toArray(); }
 * }
 *
 * @Module({
 *   imports: [CacheOrmModule.forRoot({ redis: process.env.REDIS_URL, prefix: 'app' }), CacheOrmModule.forFeature([Session])],
 *   providers: [SessionService],
 * })
 * export class AppModule {}
 *
 * @packageDocumentation
 * @module cacheorm/nestjs
 */
export { CacheOrmModule } from './cache-orm.module.js';
export { InjectCache, InjectRepository } from './decorators.js';
export { type CacheOrmModuleAsyncOptions, type CacheOrmModuleOptions, type CacheOrmOptionsFactory } from './options.js';
export { DEFAULT_CACHE_NAME, getCacheToken, getRepositoryToken, type RepositoryOf, type Token } from '../injection/index.js';
