import * as blogs from './blogs.js';
import * as changes from './changes.js';
import * as doc from './doc.js';
import * as media from './media.js';
import * as posts from './posts.js';
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

  constructor(protected readonly db: SqlDb) {
    this.kind = db.dialect.name;
  }

  migrate: Store['migrate'] = () => this.db.migrate();
  ping: Store['ping'] = async () => {
    await this.db.one('SELECT 1');
  };
  close: Store['close'] = () => this.db.close();

  createBlog: Store['createBlog'] = (blog, now) => blogs.createBlog(this.db, blog, now);
  getBlog: Store['getBlog'] = (idOrSlug) => blogs.getBlog(this.db, idOrSlug);
  listBlogs: Store['listBlogs'] = (opts) => blogs.listBlogs(this.db, opts);
  updateBlog: Store['updateBlog'] = (blogId, patch, now) => blogs.updateBlog(this.db, blogId, patch, now);

  createPost: Store['createPost'] = (post) => posts.createPost(this.db, post);
  updatePost: Store['updatePost'] = (blogId, postId, next, opts) =>
    posts.updatePost(this.db, blogId, postId, next, opts);
  deletePost: Store['deletePost'] = (blogId, postId, now, opts) => posts.deletePost(this.db, blogId, postId, now, opts);
  getPost: Store['getPost'] = (blogId, postId, opts) => posts.getPost(this.db, blogId, postId, opts);
  listPosts: Store['listPosts'] = (blogId, opts) => posts.listPosts(this.db, blogId, opts);

  listChanges: Store['listChanges'] = (blogId, since, opts) => changes.listChanges(this.db, blogId, since, opts);

  publishSummary: Store['publishSummary'] = (blogId, bullets, now) =>
    summary.publishSummary(this.db, blogId, bullets, now);
  getSummary: Store['getSummary'] = (blogId) => summary.getSummary(this.db, blogId);
  listSummaryHistory: Store['listSummaryHistory'] = (blogId, opts) => summary.listSummaryHistory(this.db, blogId, opts);

  appendDocUpdates: Store['appendDocUpdates'] = (blogId, updates) => doc.appendDocUpdates(this.db, blogId, updates);
  loadDoc: Store['loadDoc'] = (blogId, opts) => doc.loadDoc(this.db, blogId, opts);
  compactDoc: Store['compactDoc'] = (blogId, snapshot, upToId) => doc.compactDoc(this.db, blogId, snapshot, upToId);

  createUser: Store['createUser'] = (user, tokenHash) => users.createUser(this.db, user, tokenHash);
  getUserByTokenHash: Store['getUserByTokenHash'] = (tokenHash) => users.getUserByTokenHash(this.db, tokenHash);
  getUser: Store['getUser'] = (userId) => users.getUser(this.db, userId);
  listUsers: Store['listUsers'] = () => users.listUsers(this.db);
  updateUser: Store['updateUser'] = (userId, patch) => users.updateUser(this.db, userId, patch);
  setMember: Store['setMember'] = (blogId, userId, role) => users.setMember(this.db, blogId, userId, role);
  removeMember: Store['removeMember'] = (blogId, userId) => users.removeMember(this.db, blogId, userId);
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

  getSetting: Store['getSetting'] = (key) => settings.getSetting(this.db, key);
  setSettingIfAbsent: Store['setSettingIfAbsent'] = (key, value) => settings.setSettingIfAbsent(this.db, key, value);
}
