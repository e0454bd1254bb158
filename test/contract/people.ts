import type { UserRecord } from '../../src/store/ports.js';

export const user = (id: string, email: string, over: Partial<UserRecord> = {}): UserRecord => ({
  id, email, name: `User ${id}`, country: 'FR', agency: 'Gendarmerie', language: 'fr', roles: [{ role: 'learner' }], status: 'active',
  passwordHash: null, failedLogins: 0, lockedUntilMs: null, createdMs: 1000, ...over,
});
