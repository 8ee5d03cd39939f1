import { createRoute } from '@hono/zod-openapi';
import { Changes, ChangesQuery, HistoryQuery, Summary, SummaryHistory } from '../../domain/index.js';
import { apiErrors, BlogParams, errors, json, OPTIONAL_BEARER, publicRead, readNotModified } from './common.js';

export const listChanges = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/changes',
  operationId: 'listChanges',
  tags: ['changes'],
  summary: 'Events after `since`, in seq order, or reset when too old to replay',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams, query: ChangesQuery },
  responses: {
    200: publicRead(json(Changes, 'events or reset')),
    ...readNotModified,
    ...errors(400, 404),
    ...apiErrors(),
  },
});

export const getSummary = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/summary',
  operationId: 'getSummary',
  tags: ['changes'],
  summary: 'The rendered summary bullets',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams },
  responses: { 200: publicRead(json(Summary, 'the summary')), ...readNotModified, ...errors(400, 404), ...apiErrors() },
});

export const summaryHistory = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/summary/history',
  operationId: 'summaryHistory',
  tags: ['changes'],
  summary: 'Every published rendering of the summary, newest first',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams, query: HistoryQuery },
  responses: {
    200: publicRead(json(SummaryHistory, 'the history')),
    ...readNotModified,
    ...errors(400, 404),
    ...apiErrors(),
  },
});
