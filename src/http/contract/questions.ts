import { createRoute, z } from '@hono/zod-openapi';
import {
  Id,
  Post,
  Question,
  QuestionAnswerInput,
  QuestionInput,
  QuestionList,
  QuestionListQuery,
  QuestionPatch,
  QuestionReceipt,
} from '../../domain/index.js';
import { apiErrors, BEARER, BlogParams, errors, json, jsonBody, notModified, PUBLIC } from './common.js';

const QuestionParams = BlogParams.extend({ questionId: Id.describe('the question id') });

export const askQuestion = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/questions',
  operationId: 'askQuestion',
  tags: ['questions'],
  summary: 'A reader asks a question (public; rate limited per address and per blog; queued for editors)',
  security: PUBLIC,
  request: { params: BlogParams, body: jsonBody(QuestionInput) },
  responses: {
    202: json(QuestionReceipt, 'queued for moderation; nothing is shown to readers'),
    ...errors(400, 404, 413),
    ...apiErrors(),
  },
});

export const listQuestions = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/questions',
  operationId: 'listQuestions',
  tags: ['questions'],
  summary: 'The moderation queue, oldest first (editors); poll it with If-None-Match',
  security: BEARER,
  request: { params: BlogParams, query: QuestionListQuery },
  responses: {
    200: json(QuestionList, 'questions'),
    ...notModified,
    ...errors(400, 403, 404),
    ...apiErrors(),
  },
});

export const patchQuestion = createRoute({
  method: 'patch',
  path: '/api/v1/blogs/{blogId}/questions/{questionId}',
  operationId: 'dismissQuestion',
  tags: ['questions'],
  summary: 'Dismiss a pending question (editors)',
  security: BEARER,
  request: { params: QuestionParams, body: jsonBody(QuestionPatch) },
  responses: { 200: json(Question, 'the question'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

export const answerQuestion = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/questions/{questionId}/answer',
  operationId: 'answerQuestion',
  tags: ['questions'],
  summary: 'Answer a pending question: publishes a normal post quoting it (editors)',
  security: BEARER,
  request: { params: QuestionParams, body: jsonBody(QuestionAnswerInput) },
  responses: {
    201: json(z.object({ question: Question, post: Post }), 'the answered question and its post'),
    ...errors(400, 403, 404, 409, 413),
    ...apiErrors(),
  },
});
