import { Injectable } from '@nestjs/common';
import { contains, type Repository } from 'cacheorm';
import { InjectRepository } from 'cacheorm/nestjs';
import { Session } from './session.entity.js';

/**
 * A service with an injected repository. `@InjectRepository(Session)` names the token explicitly, so
 * this works without `emitDecoratorMetadata` (tsx, esbuild, vitest, swc without metadata).
 */
@Injectable()
export class SessionsService {
  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  async signIn(tenantId: string, email: string, roles: string[] = ['user']): Promise<Session> {
    const session = { tenantId, id: crypto.randomUUID(), email, roles: new Set(roles), lastSeen: new Date() };
    await this.sessions.save(session);
    return (await this.sessions.get(session))!;
  }

  find(tenantId: string, id: string): Promise<Session | undefined> {
    return this.sessions.get({ tenantId, id });
  }

  ofTenant(tenantId: string): Promise<Session[]> {
    return this.sessions.find({ tenantId }).toArray();
  }

  byEmailDomain(tenantId: string, domain: string): Promise<Session[]> {
    return this.sessions.find({ tenantId, email: contains(`@${domain}`) }).toArray();
  }

  signOut(tenantId: string, id: string): Promise<number> {
    return this.sessions.delete({ tenantId, id });
  }

  revokeTenant(tenantId: string): Promise<number> {
    return this.sessions.find({ tenantId }).delete();
  }
}
