import { type Member, notFound, type Role, type User, type UserPatchInput } from '../domain/index.js';
import { insertAudit } from './identity.js';
import { type MemberRow, toMember, toUser, USER_COLUMNS, type UserRow } from './rows.js';
import { blogSeq } from './seq.js';
import type { SqlDb } from './sql.js';
import type { WriteGuard } from './types.js';

export async function createUser(db: SqlDb, user: User, tokenHash: string): Promise<User> {
  await db.write(
    (tx) =>
      tx.run(
        'INSERT INTO users (id, name, color, token_hash, created_at, can_create_blogs) VALUES (?, ?, ?, ?, ?, ?)',
        [user.id, user.name, user.color, tokenHash, user.createdAt, user.canCreateBlogs],
      ),
    'user',
  );
  return {
    id: user.id,
    name: user.name,
    color: user.color,
    createdAt: user.createdAt,
    canCreateBlogs: user.canCreateBlogs,
  };
}

export async function getUserByTokenHash(db: SqlDb, tokenHash: string): Promise<User | null> {
  // A deactivated person's legacy token stops working with the rest of their credentials.
  const row = await db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE token_hash = ? AND active = ?`, [
    tokenHash,
    true,
  ]);
  return row ? toUser(row) : null;
}

export async function getUser(db: SqlDb, userId: string): Promise<User | null> {
  const row = await db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [userId]);
  return row ? toUser(row) : null;
}

export async function listUsers(db: SqlDb): Promise<User[]> {
  return (await db.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, id`)).map(toUser);
}

/** Applies the fields present in the patch; null when the user does not exist. */
export function updateUser(db: SqlDb, userId: string, patch: UserPatchInput): Promise<User | null> {
  return db.write(async (tx) => {
    if (patch.canCreateBlogs !== undefined) {
      await tx.run('UPDATE users SET can_create_blogs = ? WHERE id = ?', [patch.canCreateBlogs, userId]);
    }
    const row = await tx.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [userId]);
    return row ? toUser(row) : null;
  }, 'user');
}

export function setMember(
  db: SqlDb,
  blogId: string,
  userId: string,
  role: Role,
  opts: WriteGuard = {},
): Promise<Member> {
  return db.write(async (tx) => {
    await insertAudit(tx, opts.audit, new Date().toISOString());
    await blogSeq(tx, blogId);
    const user = await tx.one<{ name: string }>('SELECT name FROM users WHERE id = ?', [userId]);
    if (!user) throw notFound('user');
    await tx.run(
      `INSERT INTO members (blog_id, user_id, role) VALUES (?, ?, ?)
       ON CONFLICT (blog_id, user_id) DO UPDATE SET role = excluded.role`,
      [blogId, userId, role],
    );
    return { blogId, userId, role, name: user.name };
  }, 'member');
}

export function removeMember(db: SqlDb, blogId: string, userId: string, opts: WriteGuard = {}): Promise<boolean> {
  return db.write(async (tx) => {
    const removed = (await tx.run('DELETE FROM members WHERE blog_id = ? AND user_id = ?', [blogId, userId])) > 0;
    if (removed) await insertAudit(tx, opts.audit, new Date().toISOString());
    return removed;
  });
}

export async function listMembers(db: SqlDb, blogId: string): Promise<Member[]> {
  await blogSeq(db, blogId);
  const rows = await db.all<MemberRow>(
    `SELECT m.blog_id, m.user_id, m.role, u.name FROM members m JOIN users u ON u.id = m.user_id
     WHERE m.blog_id = ? ORDER BY u.name, m.user_id`,
    [blogId],
  );
  return rows.map(toMember);
}

export async function getRole(db: SqlDb, blogId: string, userId: string): Promise<Role | null> {
  const row = await db.one<{ role: Role }>('SELECT role FROM members WHERE blog_id = ? AND user_id = ?', [
    blogId,
    userId,
  ]);
  return row?.role ?? null;
}
