import { z } from 'zod';
import { CacheEntity, CacheKeys, Field, Key } from 'cacheorm';

/** A signed-in user's session, cached for 30 minutes: key `nest-example:session:<tenantId>:<id>`. */
@CacheEntity({ name: 'session', ttl: '30m' })
export class Session {
  declare [CacheKeys]?: 'tenantId' | 'id';
  @Key(z.string()) tenantId!: string;
  @Key(z.string()) id!: string;
  @Field(z.email()) email!: string;
  @Field(z.set(z.string())) roles!: Set<string>;
  @Field(z.date()) lastSeen!: Date;

  isAdmin(): boolean {
    return this.roles.has('admin');
  }
}
