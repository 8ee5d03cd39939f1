import * as audience from './audience.js';
import * as blogs from './blogs.js';
import * as changes from './changes.js';
import * as doc from './doc.js';
import * as identity from './identity.js';
import * as media from './media.js';
import { createOutbox, type OutboxStore } from './outbox.js';
import { createOutwardStore, type OutwardStore } from './outward.js';
import * as participation from './participation.js';
import * as posts from './posts.js';
import * as questions from './questions.js';
import * as scheduled from './scheduled.js';
import * as settings from './settings.js';
import type { SqlDb } from './sql.js';
import * as summary from './summary.js';
import type { Store } from './types.js';
import * as users from './users.js';

/**
 * The one store body: each Store method bound to its single implementation over the SQL
 * seam. SqliteStore and PostgresStore only pick the adapter. To add a method, write it in its
 * concern's file and bind it here (one line).
 */
export class SqlStore implements Store {
  readonly kind: Store['kind'];

  readonly outbox: OutboxStore;
  readonly outward: OutwardStore;

  constructor(protected readonly db: SqlDb) {
    this.kind = db.dialect.name;
    this.outbox = createOutbox(db);
    this.outward = createOutwardStore(db);
  }

  migrate: Store['migrate'] = () => this.db.migrate();
  ping: Store['ping'] = async () => {
    await this.db.one('SELECT 1');
  };
  close: Store['close'] = () => this.db.close();

  createBlog: Store['createBlog'] = (blog, now, opts) => blogs.createBlog(this.db, blog, now, opts);
  getBlog: Store['getBlog'] = (idOrSlug) => blogs.getBlog(this.db, idOrSlug);
  listBlogs: Store['listBlogs'] = (opts) => blogs.listBlogs(this.db, opts);
  updateBlog: Store['updateBlog'] = (blogId, patch, now, opts) => blogs.updateBlog(this.db, blogId, patch, now, opts);

  createPost: Store['createPost'] = (post, opts) => posts.createPost(this.db, post, opts);
  updatePost: Store['updatePost'] = (blogId, postId, next, opts) =>
    posts.updatePost(this.db, blogId, postId, next, opts);
  deletePost: Store['deletePost'] = (blogId, postId, now, opts) => posts.deletePost(this.db, blogId, postId, now, opts);
  getPost: Store['getPost'] = (blogId, postId, opts) => posts.getPost(this.db, blogId, postId, opts);
  listPosts: Store['listPosts'] = (blogId, opts) => posts.listPosts(this.db, blogId, opts);
  listRevisions: Store['listRevisions'] = (blogId, postId, opts) =>
    scheduled.listRevisions(this.db, blogId, postId, opts);

  claimDuePosts: Store['claimDuePosts'] = (now, opts) => scheduled.claimDuePosts(this.db, now, opts);
  publishClaimed: Store['publishClaimed'] = (claim, nodeId, now) =>
    scheduled.publishClaimed(this.db, claim, nodeId, now);
  nextPublishAt: Store['nextPublishAt'] = (now) => scheduled.nextPublishAt(this.db, now);

  listChanges: Store['listChanges'] = (blogId, since, opts) => changes.listChanges(this.db, blogId, since, opts);

  publishSummary: Store['publishSummary'] = (blogId, bullets, now) =>
    summary.publishSummary(this.db, blogId, bullets, now);
  getSummary: Store['getSummary'] = (blogId) => summary.getSummary(this.db, blogId);
  listSummaryHistory: Store['listSummaryHistory'] = (blogId, opts) => summary.listSummaryHistory(this.db, blogId, opts);

  appendDocUpdates: Store['appendDocUpdates'] = (blogId, updates) => doc.appendDocUpdates(this.db, blogId, updates);
  /** Set by a store that can check untrusted updates where it writes them (SQLite's doc writer). */
  checkAndAppendDocUpdates?: Store['checkAndAppendDocUpdates'];
  loadDoc: Store['loadDoc'] = (blogId, opts) => doc.loadDoc(this.db, blogId, opts);
  compactDoc: Store['compactDoc'] = (blogId, snapshot, upToId) => doc.compactDoc(this.db, blogId, snapshot, upToId);

  createUser: Store['createUser'] = (user, tokenHash) => users.createUser(this.db, user, tokenHash);
  getUserByTokenHash: Store['getUserByTokenHash'] = (tokenHash) => users.getUserByTokenHash(this.db, tokenHash);
  getUser: Store['getUser'] = (userId) => users.getUser(this.db, userId);
  listUsers: Store['listUsers'] = () => users.listUsers(this.db);
  updateUser: Store['updateUser'] = (userId, patch) => users.updateUser(this.db, userId, patch);
  setMember: Store['setMember'] = (blogId, userId, role, opts) => users.setMember(this.db, blogId, userId, role, opts);
  removeMember: Store['removeMember'] = (blogId, userId, opts) => users.removeMember(this.db, blogId, userId, opts);
  listMembers: Store['listMembers'] = (blogId) => users.listMembers(this.db, blogId);
  getRole: Store['getRole'] = (blogId, userId) => users.getRole(this.db, blogId, userId);

  createMedia: Store['createMedia'] = (m, quotaBytes) => media.createMedia(this.db, m, quotaBytes);
  getMedia: Store['getMedia'] = (blogId, mediaId) => media.getMedia(this.db, blogId, mediaId);
  getMediaMany: Store['getMediaMany'] = (blogId, ids) => media.getMediaMany(this.db, blogId, ids);
  listMedia: Store['listMedia'] = (blogId, opts) => media.listMedia(this.db, blogId, opts);
  mediaUsage: Store['mediaUsage'] = (blogId) => media.mediaUsage(this.db, blogId);
  updateMedia: Store['updateMedia'] = (blogId, mediaId, patch, now) =>
    media.updateMedia(this.db, blogId, mediaId, patch, now);
  deleteMedia: Store['deleteMedia'] = (blogId, mediaId) => media.deleteMedia(this.db, blogId, mediaId);
  createAccount: Store['createAccount'] = (input, audit) => identity.createAccount(this.db, input, audit);
  getAccount: Store['getAccount'] = (userId) => identity.getAccount(this.db, userId);
  getAccountByEmail: Store['getAccountByEmail'] = (email) => identity.getAccountByEmail(this.db, email);
  listAccounts: Store['listAccounts'] = () => identity.listAccounts(this.db);
  upsertExternalAccount: Store['upsertExternalAccount'] = (input) => identity.upsertExternalAccount(this.db, input);
  updateAccount: Store['updateAccount'] = (userId, patch, audit) =>
    identity.updateAccount(this.db, userId, patch, audit);
  createCredential: Store['createCredential'] = (c, audit) => identity.createCredential(this.db, c, audit);
  findCredentialByHash: Store['findCredentialByHash'] = (h, now) => identity.findCredentialByHash(this.db, h, now);
  getLiveCredential: Store['getLiveCredential'] = (id, now) => identity.getLiveCredential(this.db, id, now);
  revokeCredential: Store['revokeCredential'] = (userId, id, now, audit) =>
    identity.revokeCredential(this.db, userId, id, now, audit);
  listPersonalTokens: Store['listPersonalTokens'] = (userId) => identity.listPersonalTokens(this.db, userId);
  touchCredential: Store['touchCredential'] = (id, now) => identity.touchCredential(this.db, id, now);
  createInvitation: Store['createInvitation'] = (i) => identity.createInvitation(this.db, i);
  acceptInvitation: Store['acceptInvitation'] = (h, ph, now) => identity.acceptInvitation(this.db, h, ph, now);
  appendAudit: Store['appendAudit'] = (audit, now) => identity.appendAudit(this.db, audit, now);
  listAudit: Store['listAudit'] = (opts) => identity.listAudit(this.db, opts);

  getSetting: Store['getSetting'] = (key) => settings.getSetting(this.db, key);
  setSettingIfAbsent: Store['setSettingIfAbsent'] = (key, value) => settings.setSettingIfAbsent(this.db, key, value);

  recordAudience: Store['recordAudience'] = (writer, samples) => audience.recordAudience(this.db, writer, samples);
  listAudience: Store['listAudience'] = (blogId, from, to) => audience.listAudience(this.db, blogId, from, to);
  pruneAudience: Store['pruneAudience'] = (before) => audience.pruneAudience(this.db, before);

  createQuestion: Store['createQuestion'] = (q, maxPending) => questions.createQuestion(this.db, q, maxPending);
  listQuestions: Store['listQuestions'] = (blogId, opts) => questions.listQuestions(this.db, blogId, opts);
  getQuestion: Store['getQuestion'] = (blogId, questionId) => questions.getQuestion(this.db, blogId, questionId);
  moveQuestion: Store['moveQuestion'] = (blogId, questionId, from, to, answerPostId) =>
    questions.moveQuestion(this.db, blogId, questionId, from, to, answerPostId);
  castVote: Store['castVote'] = (v) => participation.castVote(this.db, v);
  castVotes: Store['castVotes'] = (votes) => participation.castVotes(this.db, votes);
  addReaction: Store['addReaction'] = (r) => participation.addReaction(this.db, r);
  tallies: Store['tallies'] = (blogId, postIds, now) => participation.tallies(this.db, blogId, postIds, now);
  closePoll: Store['closePoll'] = (blogId, postId, now, opts) =>
    participation.closePoll(this.db, blogId, postId, now, opts);
}
