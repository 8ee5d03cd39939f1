import type { Question } from '../../src/domain/index.js';
import type { EditorApi } from './api.js';
import { flash, h } from './dom.js';

/** How often the queue is asked for; an unchanged queue answers 304 with no body. */
const POLL_MS = 3000;

/**
 * The live question queue: readers' questions, oldest first, for the blog's editors. Dismiss
 * drops one; answer publishes a normal post quoting it (the only way a question reaches
 * readers). Refreshed every few seconds without a reload.
 */
export function questionQueue(blogId: string, api: EditorApi) {
  const list = h('ol', { class: 'list questions', 'data-testid': 'question-queue' });
  const message = h('p', { class: 'flash', role: 'status' });
  const count = h('span', { class: 'hint' });
  const el = h('section', { class: 'panel' }, h('h2', {}, 'Reader questions ', count), list, message);
  let stopped = false;
  let last = '';

  const act = (run: () => Promise<unknown>, done: string) =>
    run()
      .then(() => {
        flash(message, done);
        return refresh();
      })
      .catch((err: Error) => flash(message, err.message, 'error'));

  function item(q: Question): HTMLLIElement {
    const answer = h('textarea', {
      rows: 2,
      'data-field': 'answer',
      placeholder: 'Your answer (published as a post quoting the question)',
    });
    return h(
      'li',
      { 'data-question-id': q.id },
      h('blockquote', {}, q.text),
      h('span', { class: 'hint' }, `${q.name ?? 'A reader'} · ${new Date(q.createdAt).toLocaleTimeString()}`),
      answer,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            'data-action': 'answer',
            onclick: () => {
              const text = answer.value.trim();
              if (!text) return flash(message, 'Write the answer first.', 'error');
              const html = text
                .split(/\n{2,}/)
                .map((p) => `<p>${p.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`)
                .join('');
              void act(() => api.answerQuestion(blogId, q.id, html), 'Answer published.');
            },
          },
          'Answer',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'data-action': 'dismiss',
            onclick: () => void act(() => api.dismissQuestion(blogId, q.id), 'Question dismissed.'),
          },
          'Dismiss',
        ),
      ),
    );
  }

  async function refresh(): Promise<void> {
    const { questions } = await api.listQuestions(blogId);
    const key = questions.map((q) => q.id).join(',');
    count.textContent = questions.length ? `(${questions.length} waiting)` : '';
    // Only rebuild when the queue changed, so an answer being typed is not wiped.
    if (key === last) return;
    const typing = new Map<string, string>();
    for (const li of list.querySelectorAll<HTMLLIElement>('li[data-question-id]')) {
      const v = li.querySelector('textarea')?.value ?? '';
      if (v) typing.set(li.dataset.questionId ?? '', v);
    }
    last = key;
    list.replaceChildren(
      ...questions.map((q) => {
        const li = item(q);
        const v = typing.get(q.id);
        if (v) (li.querySelector('textarea') as HTMLTextAreaElement).value = v;
        return li;
      }),
      ...(questions.length ? [] : [h('li', { class: 'empty' }, 'No questions waiting.')]),
    );
  }

  const loop = async () => {
    while (!stopped) {
      await refresh().catch(() => undefined);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  void loop();
  return {
    el,
    destroy: () => {
      stopped = true;
    },
  };
}
