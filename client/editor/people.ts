import type { Account, AuditEntry, Member, Role } from '../../src/domain/index.js';
import type { ApiError, EditorApi } from './api.js';
import { flash, h } from './dom.js';

/** The audit trail as a table: when, who (and how they signed in), what, where from. */
export function auditTable(entries: AuditEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'Nothing recorded yet.');
  return h(
    'table',
    { class: 'audit', 'data-testid': 'audit' },
    h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Who'), h('th', {}, 'What'), h('th', {}, 'From')),
    ...entries.map((e) =>
      h(
        'tr',
        {},
        h('td', {}, new Date(e.at).toLocaleString()),
        h('td', {}, `${e.actor.name ?? 'unknown'} `, h('span', { class: 'hint' }, e.credential.replace('_', ' '))),
        h('td', {}, e.action, e.postId ? h('span', { class: 'hint' }, ` post ${e.postId}`) : null),
        h('td', {}, e.address ?? ''),
      ),
    ),
  );
}

/** Admins: invite a person (the link is shown once), see everyone, deactivate or reactivate. */
export async function peoplePanel(api: EditorApi): Promise<HTMLElement> {
  const message = h('p', { class: 'flash', role: 'status' });
  const link = h('code', { class: 'snippet', 'data-testid': 'invitation-link' });
  const list = h('ul', { class: 'list', 'data-testid': 'people' });
  const nameIn = h('input', { name: 'name', required: true, maxlength: 100 });
  const emailIn = h('input', { name: 'email', type: 'email', required: true, maxlength: 254 });
  const adminIn = h('input', { type: 'checkbox', name: 'admin' });
  const render = (users: Account[]) =>
    list.replaceChildren(
      ...users.map((u) =>
        h(
          'li',
          { class: 'item', 'data-user': u.email ?? u.id },
          `${u.name} `,
          h(
            'span',
            { class: 'hint' },
            `${u.email ?? 'token only'}${u.admin ? ' · admin' : ''}${u.active ? '' : ' · deactivated'}`,
          ),
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-action': u.active ? 'deactivate' : 'activate',
              onclick: () => {
                api
                  .setActive(u.id, !u.active)
                  .then(async () => render((await api.listUsers()).users))
                  .catch((err: ApiError) => flash(message, err.message, 'error'));
              },
            },
            u.active ? 'Deactivate' : 'Reactivate',
          ),
        ),
      ),
    );
  const form = h(
    'form',
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        api
          .createPerson({ name: nameIn.value, email: emailIn.value, admin: adminIn.checked })
          .then(async (p) => {
            link.textContent = p.invitation?.url ?? '';
            flash(message, `Invited ${p.name}. Send them this link (shown once, valid 7 days):`);
            render((await api.listUsers()).users);
          })
          .catch((err: ApiError) => flash(message, err.message, 'error'));
      },
    },
    h('h3', {}, 'Invite a person'),
    h('label', {}, 'Name', nameIn),
    h('label', {}, 'Email', emailIn),
    h('div', { class: 'row' }, h('label', {}, adminIn, 'Admin')),
    h('button', { type: 'submit', class: 'primary' }, 'Invite'),
    message,
    link,
  );
  render((await api.listUsers()).users);
  return h('section', { class: 'panel' }, h('h2', {}, 'People'), form, h('h3', {}, 'Everyone'), list);
}

/** Owners: the blog's members and their roles; add someone by their user id. */
export async function membersPanel(api: EditorApi, blogId: string): Promise<HTMLElement> {
  const message = h('p', { class: 'flash', role: 'status' });
  const list = h('ul', { class: 'list', 'data-testid': 'members' });
  const roles: Role[] = ['owner', 'editor', 'contributor'];
  const render = (members: Member[]) =>
    list.replaceChildren(
      ...members.map((m) => {
        const pick = h(
          'select',
          { name: 'role' },
          ...roles.map((r) => h('option', { value: r, selected: r === m.role }, r)),
        );
        pick.addEventListener('change', () => {
          api
            .setMember(blogId, m.userId, pick.value as Role)
            .then(() => flash(message, 'Saved.'))
            .catch((err: ApiError) => flash(message, err.message, 'error'));
        });
        return h(
          'li',
          { class: 'item' },
          `${m.name} `,
          pick,
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => {
                api
                  .removeMember(blogId, m.userId)
                  .then(async () => render((await api.listMembers(blogId)).members))
                  .catch((err: ApiError) => flash(message, err.message, 'error'));
              },
            },
            'Remove',
          ),
        );
      }),
    );
  const userIn = h('input', { name: 'userId', required: true, maxlength: 64, placeholder: 'user id' });
  const roleIn = h(
    'select',
    { name: 'newRole' },
    ...roles.map((r) => h('option', { value: r, selected: r === 'editor' }, r)),
  );
  const form = h(
    'form',
    {
      class: 'row',
      onsubmit: (e: Event) => {
        e.preventDefault();
        api
          .setMember(blogId, userIn.value.trim(), roleIn.value as Role)
          .then(async () => render((await api.listMembers(blogId)).members))
          .catch((err: ApiError) => flash(message, err.message, 'error'));
      },
    },
    userIn,
    roleIn,
    h('button', { type: 'submit' }, 'Add'),
  );
  // Invite by email: a new person gets a link (shown once), a known one the role at once.
  const link = h('code', { class: 'snippet', 'data-testid': 'member-invitation-link' });
  const nameIn = h('input', { name: 'inviteName', required: true, maxlength: 100, placeholder: 'name' });
  const emailIn = h('input', {
    name: 'inviteEmail',
    type: 'email',
    required: true,
    maxlength: 254,
    placeholder: 'email',
  });
  const inviteRole = h(
    'select',
    { name: 'inviteRole' },
    ...roles.map((r) => h('option', { value: r, selected: r === 'editor' }, r)),
  );
  const inviteForm = h(
    'form',
    {
      class: 'row',
      'data-testid': 'member-invite',
      onsubmit: (e: Event) => {
        e.preventDefault();
        api
          .inviteToBlog(blogId, { name: nameIn.value, email: emailIn.value, role: inviteRole.value as Role })
          .then(async (res) => {
            link.textContent = res.invitation?.url ?? '';
            flash(
              message,
              res.invitation
                ? `Invited ${res.member.name} as ${res.member.role}. Send them this link (shown once, valid 7 days):`
                : `${res.member.name} already has an account and is now ${res.member.role} here.`,
            );
            render((await api.listMembers(blogId)).members);
          })
          .catch((err: ApiError) => flash(message, err.message, 'error'));
      },
    },
    nameIn,
    emailIn,
    inviteRole,
    h('button', { type: 'submit', class: 'primary' }, 'Invite'),
  );
  render((await api.listMembers(blogId)).members);
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, 'Members'),
    list,
    form,
    h('h3', {}, 'Invite by email'),
    inviteForm,
    message,
    link,
  );
}
