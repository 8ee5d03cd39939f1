import { createRoute } from '@hono/zod-openapi';
import { Changes, ChangesQuery, HistoryQuery, Summary, SummaryHistory } from '../../domain/index.js';
import { apiErrors, BlogParams, errors, json, notModified, OPTIONAL_BEARER } from './common.js';

export const listChanges = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/changes',
  operationId: 'listChanges',
  tags: ['changes'],
  summary: 'Events after `since`, in seq order, or reset when too old to replay',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams, query: ChangesQuery },
  responses: { 200: json(Changes, 'events or reset'), ...notModified, ...errors(400, 404), ...apiErrors() },
});

export const getSummary = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/summary',
  operationId: 'getSummary',
  tags: ['changes'],
  summary: 'The rendered summary bullets',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams },
  responses: { 200: json(Summary, 'the summary'), ...notModified, ...errors(400, 404), ...apiErrors() },
});

export const summaryHistory = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/summary/history',
  operationId: 'summaryHistory',
  tags: ['changes'],
  summary: 'Every published rendering of the summary, newest first',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams, query: HistoryQuery },
  responses: { 200: json(SummaryHistory, 'the history'), ...notModified, ...errors(400, 404), ...apiErrors() },
});
