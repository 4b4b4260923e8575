/**
 * A small NestJS application with a service using an injected cacheorm repository.
 *
 *   npx tsx examples/nestjs/main.ts                                  # embedded memory store
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/nestjs/main.ts # Redis (deletes what it wrote)
 *
 * A standalone application context (no HTTP adapter needed); in an HTTP app, controllers would call
 * SessionsService the same way.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule, CacheHealth } from './app.module.js';
import { SessionsService } from './sessions.service.js';

const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks(); // also close the cache on SIGTERM / SIGINT
const sessions = app.get(SessionsService);
const show = (label: string, value: unknown) => console.log(`  ${label.padEnd(33)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);

try {
  console.log(`NestJS application on the ${app.get(CacheHealth).report().store} store`);
  const ann = await sessions.signIn('acme', 'ann@acme.test', ['admin', 'user']);
  const bob = await sessions.signIn('acme', 'bob@contractor.test');
  await sessions.signIn('globex', 'gil@globex.test');

  show('ann is a Session with isAdmin():', ann.isAdmin());
  show('find(acme, ann.id):', (await sessions.find('acme', ann.id))?.email);
  show('acme sessions:', (await sessions.ofTenant('acme')).map((s) => s.email).sort());
  show('acme sessions @contractor.test:', (await sessions.byEmailDomain('acme', 'contractor.test')).map((s) => s.email));
  show('sign out bob:', await sessions.signOut('acme', bob.id));
  show('revoke tenant acme:', await sessions.revokeTenant('acme'));
  show('revoke tenant globex:', await sessions.revokeTenant('globex'));
  show('acme sessions left:', (await sessions.ofTenant('acme')).length);
  show('cache stats:', app.get(CacheHealth).report().stats);
} finally {
  await app.close(); // CacheOrmModule closes the cache it created: the process can exit
  console.log('application closed.');
}
