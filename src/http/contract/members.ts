import { createRoute } from '@hono/zod-openapi';
import { BlogInvitationCreated, BlogInvitationInput, Member, MemberList, MemberRoleInput } from '../../domain/index.js';
import { apiErrors, BEARER, BlogParams, errors, json, jsonBody, MemberParams, notModified } from './common.js';

export const listMembers = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/members',
  operationId: 'listMembers',
  tags: ['members'],
  summary: 'Members of a blog and their roles (members only)',
  security: BEARER,
  request: { params: BlogParams },
  responses: { 200: json(MemberList, 'the members'), ...notModified, ...errors(400, 403, 404), ...apiErrors() },
});

export const putMember = createRoute({
  method: 'put',
  path: '/api/v1/blogs/{blogId}/members/{userId}',
  operationId: 'putMember',
  tags: ['members'],
  summary: 'Give a user a role on the blog (owner); the last owner cannot be demoted',
  security: BEARER,
  request: { params: MemberParams, body: jsonBody(MemberRoleInput) },
  responses: { 200: json(Member, 'the membership'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

export const deleteMember = createRoute({
  method: 'delete',
  path: '/api/v1/blogs/{blogId}/members/{userId}',
  operationId: 'deleteMember',
  tags: ['members'],
  summary: 'Remove a member (owner); the last owner stays (409)',
  security: BEARER,
  request: { params: MemberParams },
  responses: { 204: { description: 'removed' }, ...errors(400, 403, 404, 409), ...apiErrors() },
});

export const inviteToBlog = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/invitations',
  operationId: 'inviteToBlog',
  tags: ['members'],
  summary:
    'Invite a person by email to this blog with a role on it (owner): a new email gets an account and an `invitation` link (shown once, 7 days, single use); a known one is given the role',
  security: BEARER,
  request: { params: BlogParams, body: jsonBody(BlogInvitationInput) },
  responses: {
    201: json(BlogInvitationCreated, 'the membership, and the invitation link for a new person'),
    ...errors(400, 403, 404, 409, 413),
    ...apiErrors(),
  },
});
