import { DomainError, notFound, type Question, type QuestionStatus } from '../domain/index.js';
import { iso } from './rows.js';
import type { SqlDb } from './sql.js';

interface QuestionRow {
  id: string;
  blog_id: string;
  text: string;
  name: string | null;
  status: string;
  created_at: string | Date;
  answer_post_id: string | null;
}

const toQuestion = (r: QuestionRow): Question => ({
  id: r.id,
  blogId: r.blog_id,
  text: r.text,
  name: r.name,
  status: r.status as QuestionStatus,
  createdAt: iso(r.created_at),
  answerPostId: r.answer_post_id,
});

const COLUMNS = 'id, blog_id, text, name, status, created_at, answer_post_id';

/**
 * Queues a question unless the blog already holds `maxPending` pending ones (then
 * 'rate_limited': the queue is full). The blog row is locked so concurrent askers on several
 * nodes cannot overfill it.
 */
export function createQuestion(db: SqlDb, q: Question, maxPending: number): Promise<Question> {
  return db.write(async (tx) => {
    const blog = await tx.one(`SELECT id FROM blogs WHERE id = ?${db.dialect.forUpdate}`, [q.blogId]);
    if (!blog) throw notFound('blog');
    const row = await tx.one<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM questions WHERE blog_id = ? AND status = 'pending'",
      [q.blogId],
    );
    if (Number(row?.n ?? 0) >= maxPending) {
      throw new DomainError('rate_limited', 'this blog has too many questions waiting; try again later', {
        retryAfterSeconds: 60,
      });
    }
    await tx.run(`INSERT INTO questions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      q.id,
      q.blogId,
      q.text,
      q.name,
      q.status,
      q.createdAt,
      q.answerPostId,
    ]);
    return q;
  }, 'question');
}

/** Oldest first, at most `limit`. */
export async function listQuestions(
  db: SqlDb,
  blogId: string,
  opts: { status: QuestionStatus; limit: number },
): Promise<Question[]> {
  const rows = await db.all<QuestionRow>(
    `SELECT ${COLUMNS} FROM questions WHERE blog_id = ? AND status = ? ORDER BY created_at, id LIMIT ?`,
    [blogId, opts.status, opts.limit],
  );
  return rows.map(toQuestion);
}

export async function getQuestion(db: SqlDb, blogId: string, questionId: string): Promise<Question | null> {
  const row = await db.one<QuestionRow>(`SELECT ${COLUMNS} FROM questions WHERE blog_id = ? AND id = ?`, [
    blogId,
    questionId,
  ]);
  return row ? toQuestion(row) : null;
}

/**
 * Moves a question from `from` to `to` (and sets its answer post): null when it is not in
 * `from` any more (someone else moderated it first), so two editors never both answer.
 */
export async function moveQuestion(
  db: SqlDb,
  blogId: string,
  questionId: string,
  from: QuestionStatus,
  to: QuestionStatus,
  answerPostId: string | null = null,
): Promise<Question | null> {
  const row = await db.one<QuestionRow>(
    `UPDATE questions SET status = ?, answer_post_id = ? WHERE blog_id = ? AND id = ? AND status = ?
     RETURNING ${COLUMNS}`,
    [to, answerPostId, blogId, questionId, from],
  );
  return row ? toQuestion(row) : null;
}
