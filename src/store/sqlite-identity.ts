import { type Account, DomainError, notFound, type PersonalToken } from '../domain/index.js';
import { newId } from '../lib/ids.js';
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  AUDIT_COLUMNS,
  type AuditRow,
  auditPage,
  auditValues,
  CREDENTIAL_COLUMNS,
  type CredentialRow,
  toAccount,
  toCredential,
  toPersonalToken,
} from './identity-rows.js';
import type { SqliteDb } from './sqlite-db.js';
import type {
  AccountPatch,
  AuditContext,
  ExternalAccountInput,
  LiveCredential,
  NewAccount,
  NewCredential,
  NewInvitation,
  Store,
} from './types.js';

type IdentityPart = Pick<
  Store,
  | 'createAccount'
  | 'getAccount'
  | 'getAccountByEmail'
  | 'listAccounts'
  | 'upsertExternalAccount'
  | 'updateAccount'
  | 'createCredential'
  | 'findCredentialByHash'
  | 'getLiveCredential'
  | 'revokeCredential'
  | 'listPersonalTokens'
  | 'touchCredential'
  | 'createInvitation'
  | 'acceptInvitation'
  | 'appendAudit'
  | 'listAudit'
>;

const LIVE = `c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > ?) AND u.active = 1`;

/** The identity half of the SQLite store (SqliteStore delegates here). */
export class SqliteIdentity implements IdentityPart {
  constructor(private readonly db: SqliteDb) {}

  private q(sql: string) {
    return this.db.q(sql);
  }

  /** Inside a write transaction: the audit row commits or rolls back with the write. */
  insertAudit(a: AuditContext | undefined, now: string): void {
    if (!a) return;
    this.q(`INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      ...auditValues(a, now, (b) => (b ? 1 : 0)),
    );
  }

  private account(userId: string): Account | null {
    const row = this.q(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = ?`).get(userId) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  async createAccount(input: NewAccount, audit?: AuditContext): Promise<Account> {
    return this.db.write(() => {
      const u = input.user;
      this.q(
        `INSERT INTO users (id, name, color, token_hash, created_at, email, password_hash, active, admin)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
      ).run(u.id, u.name, u.color, `none:${u.id}`, u.createdAt, input.email, input.passwordHash, input.admin ? 1 : 0);
      this.insertAudit(audit, u.createdAt);
      return this.account(u.id) as Account;
    }, 'user (that email is taken)');
  }

  async getAccount(userId: string): Promise<Account | null> {
    return this.account(userId);
  }

  async getAccountByEmail(email: string): Promise<(Account & { passwordHash: string | null }) | null> {
    const row = this.q(`SELECT ${ACCOUNT_COLUMNS}, u.password_hash FROM users u WHERE u.email = ?`).get(email) as
      | (AccountRow & { password_hash: string | null })
      | undefined;
    return row ? { ...toAccount(row), passwordHash: row.password_hash } : null;
  }

  async listAccounts(): Promise<Account[]> {
    return (this.q(`SELECT ${ACCOUNT_COLUMNS} FROM users u ORDER BY u.created_at, u.id`).all() as AccountRow[]).map(
      toAccount,
    );
  }

  async upsertExternalAccount(input: ExternalAccountInput): Promise<Account> {
    return this.db.write(() => {
      const linked = this.q('SELECT user_id FROM external_identities WHERE issuer = ? AND subject = ?').get(
        input.issuer,
        input.subject,
      ) as { user_id: string } | undefined;
      if (linked) return this.account(linked.user_id) as Account;
      const byEmail = input.email
        ? (this.q('SELECT id FROM users WHERE email = ?').get(input.email) as { id: string } | undefined)
        : undefined;
      let userId = byEmail?.id;
      if (!userId) {
        const u = input.newUser;
        this.q(
          `INSERT INTO users (id, name, color, token_hash, created_at, email, active, admin)
           VALUES (?, ?, ?, ?, ?, ?, 1, 0)`,
        ).run(u.id, u.name, u.color, `none:${u.id}`, u.createdAt, input.email);
        userId = u.id;
      }
      this.q('INSERT INTO external_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)').run(
        input.issuer,
        input.subject,
        userId,
        new Date().toISOString(),
      );
      return this.account(userId) as Account;
    }, 'external identity');
  }

  async updateAccount(userId: string, patch: AccountPatch, audit?: AuditContext): Promise<Account> {
    return this.db.write(() => {
      if (!this.account(userId)) throw notFound('user');
      if (patch.name !== undefined) this.q('UPDATE users SET name = ? WHERE id = ?').run(patch.name, userId);
      if (patch.active !== undefined)
        this.q('UPDATE users SET active = ? WHERE id = ?').run(patch.active ? 1 : 0, userId);
      if (patch.passwordHash !== undefined) {
        this.q('UPDATE users SET password_hash = ? WHERE id = ?').run(patch.passwordHash, userId);
      }
      this.insertAudit(audit, new Date().toISOString());
      return this.account(userId) as Account;
    });
  }

  async createCredential(c: NewCredential, audit?: AuditContext): Promise<void> {
    this.db.write(() => {
      this.q(
        `INSERT INTO credentials (id, user_id, kind, name, token_hash, expires_at, grants, admin, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        c.id,
        c.userId,
        c.kind,
        c.name,
        c.tokenHash,
        c.expiresAt,
        JSON.stringify(c.grants),
        c.admin ? 1 : 0,
        c.createdAt,
      );
      this.insertAudit(audit, c.createdAt);
    }, 'credential');
  }

  private live(where: string, key: string, now: string): LiveCredential | null {
    const row = this.q(
      `SELECT ${CREDENTIAL_COLUMNS}, ${ACCOUNT_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id
       WHERE ${where} AND ${LIVE}`,
    ).get(key, now) as (CredentialRow & AccountRow) | undefined;
    return row ? { credential: toCredential(row), account: toAccount(row) } : null;
  }

  async findCredentialByHash(tokenHash: string, now: string): Promise<LiveCredential | null> {
    return this.live('c.token_hash = ?', tokenHash, now);
  }

  async getLiveCredential(credentialId: string, now: string): Promise<LiveCredential | null> {
    return this.live('c.id = ?', credentialId, now);
  }

  async revokeCredential(userId: string, credentialId: string, now: string, audit?: AuditContext): Promise<boolean> {
    return this.db.write(() => {
      const done =
        this.q('UPDATE credentials SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL').run(
          now,
          credentialId,
          userId,
        ).changes > 0;
      if (done) this.insertAudit(audit, now);
      return done;
    });
  }

  async listPersonalTokens(userId: string): Promise<PersonalToken[]> {
    const rows = this.q(
      `SELECT ${CREDENTIAL_COLUMNS} FROM credentials c
       WHERE c.user_id = ? AND c.kind = 'personal_token' AND c.revoked_at IS NULL ORDER BY c.created_at, c.id`,
    ).all(userId) as CredentialRow[];
    return rows.map(toPersonalToken);
  }

  async touchCredential(credentialId: string, now: string): Promise<void> {
    const minuteAgo = new Date(Date.parse(now) - 60_000).toISOString();
    this.q('UPDATE credentials SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(
      now,
      credentialId,
      minuteAgo,
    );
  }

  async createInvitation(i: NewInvitation): Promise<void> {
    this.db.write(() => {
      this.q(
        'INSERT INTO invitations (token_hash, user_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ).run(i.tokenHash, i.userId, i.createdBy, i.createdAt, i.expiresAt);
    }, 'invitation');
  }

  async acceptInvitation(tokenHash: string, passwordHash: string, now: string): Promise<Account | null> {
    return this.db.write(() => {
      const used = this.q(
        `UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
         RETURNING user_id`,
      ).get(now, tokenHash, now) as { user_id: string } | undefined;
      if (!used) return null;
      const account = this.account(used.user_id);
      if (!account?.active) throw new DomainError('forbidden', 'this account is deactivated');
      this.q('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, used.user_id);
      this.insertAudit(
        {
          id: newId(),
          actorId: account.id,
          actorName: account.name,
          actorAdmin: account.admin,
          credential: 'password_session',
          action: 'invitation.accept',
          blogId: null,
          postId: null,
          subjectId: account.id,
          address: null,
        },
        now,
      );
      return account;
    });
  }

  async appendAudit(audit: AuditContext, now: string): Promise<void> {
    this.db.write(() => this.insertAudit(audit, now));
  }

  async listAudit(opts: { blogId?: string; before?: string; limit: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.blogId !== undefined) {
      where.push('blog_id = ?');
      params.push(opts.blogId);
    }
    if (opts.before !== undefined) {
      where.push('id < ?');
      params.push(opts.before);
    }
    const rows = this.q(
      `SELECT ${AUDIT_COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    ).all(...params, opts.limit + 1) as AuditRow[];
    return auditPage(rows, opts.limit);
  }
}
