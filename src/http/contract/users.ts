import { createRoute, z } from '@hono/zod-openapi';
import { Account, Id, Me, PersonCreateInput, UserCreated, UserList, UserPatchInput } from '../../domain/index.js';
import { apiErrors, BEARER, errors, json, jsonBody, notModified } from './common.js';

export const createUser = createRoute({
  method: 'post',
  path: '/api/v1/users',
  operationId: 'createUser',
  tags: ['users'],
  summary:
    'Create a user (admin). With an email, a person who signs in: with `password`, or else an `invitation` link (shown once, 7 days, single use); without, a user and its token (shown once)',
  security: BEARER,
  request: { body: jsonBody(PersonCreateInput) },
  responses: {
    201: json(UserCreated, 'the person (and invitation), or the user and its token'),
    ...errors(400, 403, 409, 413),
    ...apiErrors(),
  },
});

export const listUsers = createRoute({
  method: 'get',
  path: '/api/v1/users',
  operationId: 'listUsers',
  tags: ['users'],
  summary: 'List users (admin)',
  security: BEARER,
  responses: { 200: json(UserList, 'every user'), ...notModified, ...errors(403), ...apiErrors() },
});

export const me = createRoute({
  method: 'get',
  path: '/api/v1/me',
  operationId: 'me',
  tags: ['users'],
  summary: 'Who the bearer token belongs to',
  security: BEARER,
  responses: { 200: json(Me, 'the principal'), ...notModified, ...apiErrors() },
});

export const patchUser = createRoute({
  method: 'patch',
  path: '/api/v1/users/{userId}',
  operationId: 'patchUser',
  tags: ['users'],
  summary:
    'Change a user (admin): canCreateBlogs, or `active: false`, which deactivates them everywhere within a second',
  security: BEARER,
  request: { params: z.object({ userId: Id }), body: jsonBody(UserPatchInput) },
  responses: { 200: json(Account, 'the user as now stored'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});
