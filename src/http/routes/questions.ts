import type { Deps } from '../../deps.js';
import {
  answerPost,
  authorOf,
  cleanQuestionText,
  conflict,
  notFound,
  QUESTION_MAX_CHARS,
  QUESTION_NAME_MAX_CHARS,
} from '../../domain/index.js';
import { buildPost, cleanPlainText } from '../../domain/post-building.js';
import { fieldError } from '../../domain/sanitize.js';
import { newId } from '../../lib/ids.js';
import { MinuteLimit } from '../../lib/rate-limit.js';
import { blogFromPath, requireRights } from '../access.js';
import * as routes from '../contract/questions.js';
import { clientIp, requirePrincipal, spend } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { publishLive } from '../publish.js';
import { jsonBodyChecks } from '../validate.js';

const QUEUE_PAGE = 200;

/**
 * Reader questions: anyone may ask (bounded per address, per blog and by the queue), only the
 * blog's editors (post.publish) see the queue, dismiss or answer. An answer is a normal post.
 */
export function questionRoutes(deps: Deps) {
  const app = newRouter();
  const { store, config, metrics } = deps;
  const perIp = new MinuteLimit('http_questions', config.RATE_QUESTIONS_PER_MIN, metrics);
  const perBlog = new MinuteLimit('http_questions_blog', config.RATE_QUESTIONS_PER_BLOG_PER_MIN, metrics);
  const moderators = [blogFromPath(deps), requireRights(deps, ['post.publish'])];

  app.openapi({ ...routes.askQuestion, middleware: [blogFromPath(deps), jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const input = c.req.valid('json');
    const text = cleanQuestionText(input.text, QUESTION_MAX_CHARS);
    if (typeof text !== 'string') throw fieldError(['text'], text.error);
    const rawName = input.name === undefined ? '' : cleanPlainText(input.name.replace(/<[^>]*>/g, ''));
    if (rawName.length > QUESTION_NAME_MAX_CHARS) {
      throw fieldError(['name'], `must be at most ${QUESTION_NAME_MAX_CHARS} characters`);
    }
    // Valid questions only spend budget: the address first, then the blog's shared budget.
    await spend(perIp, clientIp(c, config.TRUST_PROXY));
    await spend(perBlog, blog.id);
    const q = await store.createQuestion(
      {
        id: newId(),
        blogId: blog.id,
        text,
        name: rawName === '' ? null : rawName,
        status: 'pending',
        createdAt: new Date().toISOString(),
        answerPostId: null,
      },
      config.QUESTION_QUEUE_MAX,
    );
    return c.json({ id: q.id, status: 'pending' as const }, 202);
  });

  app.openapi({ ...routes.listQuestions, middleware: moderators }, async (c) => {
    const blog = c.get('blog');
    const { status } = c.req.valid('query');
    const questions = await store.listQuestions(blog.id, { status, limit: QUEUE_PAGE });
    // Editors poll the queue: publicCache (src/http/middleware/cache.ts) hashes the body into
    // an ETag, so an unchanged queue answers 304 with no body.
    return c.json({ questions }, 200);
  });

  app.openapi({ ...routes.patchQuestion, middleware: [...moderators, jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const { questionId } = c.req.valid('param');
    c.req.valid('json');
    const moved = await store.moveQuestion(blog.id, questionId, 'pending', 'dismissed');
    if (moved) return c.json(moved, 200);
    if (!(await store.getQuestion(blog.id, questionId))) throw notFound('question');
    throw conflict('the question was already moderated');
  });

  app.openapi({ ...routes.answerQuestion, middleware: [...moderators, jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const p = requirePrincipal(c);
    const { questionId } = c.req.valid('param');
    const { html } = c.req.valid('json');
    const q = await store.getQuestion(blog.id, questionId);
    if (!q) throw notFound('question');
    // Claim it first so two editors answering at once never publish two posts.
    const claimed = await store.moveQuestion(blog.id, questionId, 'pending', 'answered');
    if (!claimed) throw conflict('the question was already moderated');
    try {
      const now = new Date().toISOString();
      const { post, event } = await store.createPost(
        buildPost(answerPost(q, html), authorOf(p), blog.id, now, newId()),
      );
      publishLive(deps, event);
      const question = (await store.moveQuestion(blog.id, questionId, 'answered', 'answered', post.id)) ?? claimed;
      return c.json({ question, post }, 201);
    } catch (err) {
      await store.moveQuestion(blog.id, questionId, 'answered', 'pending').catch(() => null);
      throw err;
    }
  });

  return app;
}
