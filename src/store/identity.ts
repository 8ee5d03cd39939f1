import { type Account, type AuditPage, DomainError, notFound, type PersonalToken } from '../domain/index.js';
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
import { jsonParam, type Sql, type SqlDb, type SqlParam } from './sql.js';
import type {
  AccountPatch,
  AuditContext,
  ExternalAccountInput,
  LiveCredential,
  NewAccount,
  NewCredential,
  NewInvitation,
} from './types.js';

/**
 * Identity: accounts, outside identities, credentials, invitations and the audit trail,
 * written once over the SQL seam. `insertAudit` is called by every audited write inside its
 * own transaction, so a write and its audit row commit (or roll back) together.
 */
export async function insertAudit(tx: Sql, a: AuditContext | undefined, now: string): Promise<void> {
  if (!a) return;
  await tx.run(
    `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    auditValues(a, now, (b) => b) as SqlParam[],
  );
}

const LIVE = 'c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > ?) AND u.active = ?';

async function account(tx: Sql, userId: string): Promise<Account | null> {
  const row = await tx.one<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.id = ?`, [userId]);
  return row ? toAccount(row) : null;
}

export function createAccount(db: SqlDb, input: NewAccount, audit?: AuditContext): Promise<Account> {
  return db.write(async (tx) => {
    const u = input.user;
    await tx.run(
      `INSERT INTO users (id, name, color, token_hash, created_at, can_create_blogs, email, password_hash, active, admin)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        u.id,
        u.name,
        u.color,
        `none:${u.id}`,
        u.createdAt,
        u.canCreateBlogs,
        input.email,
        input.passwordHash,
        true,
        input.admin,
      ],
    );
    await insertAudit(tx, audit, u.createdAt);
    return (await account(tx, u.id)) as Account;
  }, 'user (that email is taken)');
}

export function getAccount(db: SqlDb, userId: string): Promise<Account | null> {
  return account(db, userId);
}

export async function getAccountByEmail(
  db: SqlDb,
  email: string,
): Promise<(Account & { passwordHash: string | null }) | null> {
  const row = await db.one<AccountRow & { password_hash: string | null }>(
    `SELECT ${ACCOUNT_COLUMNS}, u.password_hash FROM users u WHERE u.email = ?`,
    [email],
  );
  return row ? { ...toAccount(row), passwordHash: row.password_hash } : null;
}

export async function listAccounts(db: SqlDb): Promise<Account[]> {
  return (await db.all<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM users u ORDER BY u.created_at, u.id`)).map(
    toAccount,
  );
}

export async function upsertExternalAccount(db: SqlDb, input: ExternalAccountInput): Promise<Account> {
  // Two nodes seeing a new person's first token at once: the identity's primary key lets one
  // insert win; the loser's transaction fails with a conflict and it reads the winner's link.
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.write(async (tx) => {
        const linked = await tx.one<{ user_id: string }>(
          'SELECT user_id FROM external_identities WHERE issuer = ? AND subject = ?',
          [input.issuer, input.subject],
        );
        if (linked) return (await account(tx, linked.user_id)) as Account;
        const byEmail = input.email
          ? await tx.one<{ id: string }>('SELECT id FROM users WHERE email = ?', [input.email])
          : undefined;
        let userId = byEmail?.id;
        if (!userId) {
          const u = input.newUser;
          await tx.run(
            `INSERT INTO users (id, name, color, token_hash, created_at, can_create_blogs, email, active, admin)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [u.id, u.name, u.color, `none:${u.id}`, u.createdAt, u.canCreateBlogs, input.email, true, false],
          );
          userId = u.id;
        }
        await tx.run('INSERT INTO external_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)', [
          input.issuer,
          input.subject,
          userId,
          new Date().toISOString(),
        ]);
        return (await account(tx, userId)) as Account;
      }, 'external identity');
    } catch (err) {
      if (attempt >= 2 || !(err instanceof DomainError) || err.code !== 'conflict') throw err;
    }
  }
}

export function updateAccount(db: SqlDb, userId: string, patch: AccountPatch, audit?: AuditContext): Promise<Account> {
  return db.write(async (tx) => {
    if (!(await account(tx, userId))) throw notFound('user');
    if (patch.name !== undefined) await tx.run('UPDATE users SET name = ? WHERE id = ?', [patch.name, userId]);
    if (patch.active !== undefined) await tx.run('UPDATE users SET active = ? WHERE id = ?', [patch.active, userId]);
    if (patch.canCreateBlogs !== undefined) {
      await tx.run('UPDATE users SET can_create_blogs = ? WHERE id = ?', [patch.canCreateBlogs, userId]);
    }
    if (patch.passwordHash !== undefined) {
      await tx.run('UPDATE users SET password_hash = ? WHERE id = ?', [patch.passwordHash, userId]);
    }
    await insertAudit(tx, audit, new Date().toISOString());
    return (await account(tx, userId)) as Account;
  });
}

export function createCredential(db: SqlDb, c: NewCredential, audit?: AuditContext): Promise<void> {
  return db.write(async (tx) => {
    await tx.run(
      `INSERT INTO credentials (id, user_id, kind, name, token_hash, expires_at, grants, admin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [c.id, c.userId, c.kind, c.name, c.tokenHash, c.expiresAt, jsonParam(c.grants), c.admin, c.createdAt],
    );
    await insertAudit(tx, audit, c.createdAt);
  }, 'credential');
}

async function live(db: SqlDb, where: string, key: string, now: string): Promise<LiveCredential | null> {
  const row = await db.one<CredentialRow & AccountRow>(
    `SELECT ${CREDENTIAL_COLUMNS}, ${ACCOUNT_COLUMNS} FROM credentials c JOIN users u ON u.id = c.user_id
     WHERE ${where} AND ${LIVE}`,
    [key, now, true],
  );
  return row ? { credential: toCredential(row), account: toAccount(row) } : null;
}

export function findCredentialByHash(db: SqlDb, tokenHash: string, now: string): Promise<LiveCredential | null> {
  return live(db, 'c.token_hash = ?', tokenHash, now);
}

export function getLiveCredential(db: SqlDb, credentialId: string, now: string): Promise<LiveCredential | null> {
  return live(db, 'c.id = ?', credentialId, now);
}

export function revokeCredential(
  db: SqlDb,
  userId: string,
  credentialId: string,
  now: string,
  audit?: AuditContext,
): Promise<boolean> {
  return db.write(async (tx) => {
    const done =
      (await tx.run('UPDATE credentials SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL', [
        now,
        credentialId,
        userId,
      ])) > 0;
    if (done) await insertAudit(tx, audit, now);
    return done;
  });
}

export async function listPersonalTokens(db: SqlDb, userId: string): Promise<PersonalToken[]> {
  const rows = await db.all<CredentialRow>(
    `SELECT ${CREDENTIAL_COLUMNS} FROM credentials c
     WHERE c.user_id = ? AND c.kind = 'personal_token' AND c.revoked_at IS NULL ORDER BY c.created_at, c.id`,
    [userId],
  );
  return rows.map(toPersonalToken);
}

export async function touchCredential(db: SqlDb, credentialId: string, now: string): Promise<void> {
  const minuteAgo = new Date(Date.parse(now) - 60_000).toISOString();
  await db.run('UPDATE credentials SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)', [
    now,
    credentialId,
    minuteAgo,
  ]);
}

export async function createInvitation(db: SqlDb, i: NewInvitation): Promise<void> {
  await db.write(
    (tx) =>
      tx.run(
        'INSERT INTO invitations (token_hash, user_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        [i.tokenHash, i.userId, i.createdBy, i.createdAt, i.expiresAt],
      ),
    'invitation',
  );
}

export function acceptInvitation(
  db: SqlDb,
  tokenHash: string,
  passwordHash: string,
  now: string,
): Promise<Account | null> {
  return db.write(async (tx) => {
    // One statement marks it used: a link accepted twice at once succeeds once.
    const used = await tx.one<{ user_id: string }>(
      `UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
       RETURNING user_id`,
      [now, tokenHash, now],
    );
    if (!used) return null;
    const acc = await account(tx, used.user_id);
    if (!acc?.active) throw new DomainError('forbidden', 'this account is deactivated');
    await tx.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, used.user_id]);
    await insertAudit(
      tx,
      {
        id: newId(),
        actorId: acc.id,
        actorName: acc.name,
        actorAdmin: acc.admin,
        credential: 'password_session',
        action: 'invitation.accept',
        blogId: null,
        postId: null,
        subjectId: acc.id,
        address: null,
      },
      now,
    );
    return acc;
  });
}

export async function appendAudit(db: SqlDb, audit: AuditContext, now: string): Promise<void> {
  await db.write((tx) => insertAudit(tx, audit, now));
}

export async function listAudit(
  db: SqlDb,
  opts: { blogId?: string; before?: string; limit: number },
): Promise<AuditPage> {
  const where: string[] = [];
  const params: SqlParam[] = [];
  if (opts.blogId !== undefined) {
    where.push('blog_id = ?');
    params.push(opts.blogId);
  }
  if (opts.before !== undefined) {
    where.push('id < ?');
    params.push(opts.before);
  }
  const rows = await db.all<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, opts.limit + 1],
  );
  return auditPage(rows, opts.limit);
}
