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
import type { PgDb, Queryable } from './postgres-db.js';
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

const LIVE = `c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $2) AND u.active`;

/** The identity half of the PostgreSQL store (PostgresStore delegates here). */
export class PostgresIdentity implements IdentityPart {
  constructor(private readonly db: PgDb) {}

  /** Inside a write transaction: the audit row commits or rolls back with the write. */
  async insertAudit(c: Queryable, a: AuditContext | undefined, now: string): Promise<void> {
    if (!a) return;
    await c.query(
      `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      auditValues(a, now, (b) => b),
    );
  }

  private async account(c: Queryable, userId: string): Promise<Account | null> {
    const row = (await c.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = $1`, [userId])).rows[0];
    return row ? toAccount(row) : null;
  }

  async createAccount(input: NewAccount, audit?: AuditContext): Promise<Account> {
    return this.db.tx(async (c) => {
      const u = input.user;
      await c.query(
        `INSERT INTO users (id, name, color, token_hash, created_at, email, password_hash, active, admin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8)`,
        [u.id, u.name, u.color, `none:${u.id}`, u.createdAt, input.email, input.passwordHash, input.admin],
      );
      await this.insertAudit(c, audit, u.createdAt);
      return (await this.account(c, u.id)) as Account;
    }, 'user (that email is taken)');
  }

  async getAccount(userId: string): Promise<Account | null> {
    const [row] = await this.db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = $1`, [userId]);
    return row ? toAccount(row) : null;
  }

  async getAccountByEmail(email: string): Promise<(Account & { passwordHash: string | null }) | null> {
    const [row] = await this.db.query<AccountRow & { password_hash: string | null }>(
      `SELECT ${ACCOUNT_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1`,
      [email],
    );
    return row ? { ...toAccount(row), passwordHash: row.password_hash } : null;
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM users u ORDER BY u.created_at, u.id`)).map(
      toAccount,
    );
  }

  async upsertExternalAccount(input: ExternalAccountInput): Promise<Account> {
    // Two nodes seeing a new person's first token at once: the identity's primary key lets
    // one insert win; the loser's transaction fails and it reads the winner's link.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.tx(async (c) => {
          const linked = (
            await c.query<{ user_id: string }>(
              'SELECT user_id FROM external_identities WHERE issuer = $1 AND subject = $2',
              [input.issuer, input.subject],
            )
          ).rows[0];
          if (linked) return (await this.account(c, linked.user_id)) as Account;
          const byEmail = input.email
            ? (await c.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [input.email])).rows[0]
            : undefined;
          let userId = byEmail?.id;
          if (!userId) {
            const u = input.newUser;
            await c.query(
              `INSERT INTO users (id, name, color, token_hash, created_at, email, active, admin)
               VALUES ($1, $2, $3, $4, $5, $6, true, false)`,
              [u.id, u.name, u.color, `none:${u.id}`, u.createdAt, input.email],
            );
            userId = u.id;
          }
          await c.query(
            'INSERT INTO external_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)',
            [input.issuer, input.subject, userId, new Date().toISOString()],
          );
          return (await this.account(c, userId)) as Account;
        }, 'external identity');
      } catch (err) {
        if (attempt >= 2 || !(err instanceof DomainError) || err.code !== 'conflict') throw err;
      }
    }
  }

  async updateAccount(userId: string, patch: AccountPatch, audit?: AuditContext): Promise<Account> {
    return this.db.tx(async (c) => {
      if (!(await this.account(c, userId))) throw notFound('user');
      if (patch.name !== undefined) await c.query('UPDATE users SET name = $1 WHERE id = $2', [patch.name, userId]);
      if (patch.active !== undefined)
        await c.query('UPDATE users SET active = $1 WHERE id = $2', [patch.active, userId]);
      if (patch.passwordHash !== undefined) {
        await c.query('UPDATE users SET password_hash = $1 WHERE id = $2', [patch.passwordHash, userId]);
      }
      await this.insertAudit(c, audit, new Date().toISOString());
      return (await this.account(c, userId)) as Account;
    });
  }

  async createCredential(cr: NewCredential, audit?: AuditContext): Promise<void> {
    await this.db.tx(async (c) => {
      await c.query(
        `INSERT INTO credentials (id, user_id, kind, name, token_hash, expires_at, grants, admin, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
        [
          cr.id,
          cr.userId,
          cr.kind,
          cr.name,
          cr.tokenHash,
          cr.expiresAt,
          JSON.stringify(cr.grants),
          cr.admin,
          cr.createdAt,
        ],
      );
      await this.insertAudit(c, audit, cr.createdAt);
    }, 'credential');
  }

  private async live(where: string, key: string, now: string): Promise<LiveCredential | null> {
    const [row] = await this.db.query<CredentialRow & AccountRow>(
      `SELECT ${CREDENTIAL_COLUMNS}, ${ACCOUNT_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id
       WHERE ${where} AND ${LIVE}`,
      [key, now],
    );
    return row ? { credential: toCredential(row), account: toAccount(row) } : null;
  }

  async findCredentialByHash(tokenHash: string, now: string): Promise<LiveCredential | null> {
    return this.live('c.token_hash = $1', tokenHash, now);
  }

  async getLiveCredential(credentialId: string, now: string): Promise<LiveCredential | null> {
    return this.live('c.id = $1', credentialId, now);
  }

  async revokeCredential(userId: string, credentialId: string, now: string, audit?: AuditContext): Promise<boolean> {
    return this.db.tx(async (c) => {
      const done =
        ((
          await c.query(
            'UPDATE credentials SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL',
            [now, credentialId, userId],
          )
        ).rowCount ?? 0) > 0;
      if (done) await this.insertAudit(c, audit, now);
      return done;
    });
  }

  async listPersonalTokens(userId: string): Promise<PersonalToken[]> {
    const rows = await this.db.query<CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM credentials c
       WHERE c.user_id = $1 AND c.kind = 'personal_token' AND c.revoked_at IS NULL ORDER BY c.created_at, c.id`,
      [userId],
    );
    return rows.map(toPersonalToken);
  }

  async touchCredential(credentialId: string, now: string): Promise<void> {
    await this.db.query(
      `UPDATE credentials SET last_used_at = $1
       WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1::timestamptz - interval '1 minute')`,
      [now, credentialId],
    );
  }

  async createInvitation(i: NewInvitation): Promise<void> {
    await this.db.query(
      'INSERT INTO invitations (token_hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [i.tokenHash, i.userId, i.createdBy, i.createdAt, i.expiresAt],
      'invitation',
    );
  }

  async acceptInvitation(tokenHash: string, passwordHash: string, now: string): Promise<Account | null> {
    return this.db.tx(async (c) => {
      // The row lock makes a link used twice at once succeed once.
      const used = (
        await c.query<{ user_id: string }>(
          `UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
           RETURNING user_id`,
          [now, tokenHash],
        )
      ).rows[0];
      if (!used) return null;
      const account = await this.account(c, used.user_id);
      if (!account?.active) throw new DomainError('forbidden', 'this account is deactivated');
      await c.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, used.user_id]);
      await this.insertAudit(
        c,
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
    await this.db.tx((c) => this.insertAudit(c, audit, now));
  }

  async listAudit(opts: { blogId?: string; before?: string; limit: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.blogId !== undefined) {
      params.push(opts.blogId);
      where.push(`blog_id = $${params.length}`);
    }
    if (opts.before !== undefined) {
      params.push(opts.before);
      where.push(`id < $${params.length}`);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return auditPage(rows, opts.limit);
  }
}
