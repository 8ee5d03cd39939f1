import { createRoute } from '@hono/zod-openapi';
import {
  Post,
  ReactionInput,
  ReactionReceipt,
  Tallies,
  TallyQuery,
  VoteInput,
  VoteReceipt,
} from '../../domain/index.js';
import { apiErrors, BEARER, BlogParams, errors, json, jsonBody, notModified, PostParams, PUBLIC } from './common.js';

export const castVote = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/posts/{postId}/votes',
  operationId: 'castVote',
  tags: ['participation'],
  summary: "A reader votes in the post's poll (public; one vote per voter, the first stands; limited per address)",
  description:
    'A repeat by the same voter (even for another option) is dropped silently: the answer names the option that counts. Counts reach readers as the Socket.IO `counts` frame, not as seq events.',
  security: PUBLIC,
  request: { params: PostParams, body: jsonBody(VoteInput) },
  responses: {
    202: json(VoteReceipt, 'counted (or already counted)'),
    ...errors(400, 404, 409, 413),
    ...apiErrors(),
  },
});

export const addReaction = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/posts/{postId}/reactions',
  operationId: 'addReaction',
  tags: ['participation'],
  summary: 'A reader reacts to a post (public; one of each kind per voter; limited per address)',
  security: PUBLIC,
  request: { params: PostParams, body: jsonBody(ReactionInput) },
  responses: {
    202: json(ReactionReceipt, 'counted (or already counted)'),
    ...errors(400, 404, 413),
    ...apiErrors(),
  },
});

export const getTallies = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/tallies',
  operationId: 'getTallies',
  tags: ['participation'],
  summary: 'Current vote and reaction counts of some posts (public; exact; live changes follow as `counts` frames)',
  security: PUBLIC,
  request: { params: BlogParams, query: TallyQuery },
  responses: {
    200: json(Tallies, 'counts per post'),
    ...notModified,
    ...errors(400, 404),
    ...apiErrors(),
  },
});

export const closePoll = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/posts/{postId}/poll/close',
  operationId: 'closePoll',
  tags: ['participation'],
  summary: "Close the post's poll now (editors): one post update carrying the final results",
  security: BEARER,
  request: { params: PostParams },
  responses: {
    200: json(Post, 'the post with its closed poll (unchanged if it was already closed)'),
    ...errors(403, 404),
    ...apiErrors(),
  },
});
