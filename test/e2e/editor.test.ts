import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import { launchBrowser, screenshot, startPartnerSite, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * Two editors in two browsers co-write the summary over y-websocket and see each other's
 * text and carets; they publish and manage posts; a partner's widget follows all of it.
 */
let server: TestServer;
let admin: Api;
let blog: Blog;
let ada: Page;
let ravi: Page;
let reader: Page;
const errors: string[][] = [];

async function signIn(context: BrowserContext, token: string): Promise<Page> {
  const page = await context.newPage();
  errors.push((await watchPage(page)).errors);
  await page.goto(`${server.url}/editor`);
  await page.fill('input[name="token"]', token);
  await page.click('button[type="submit"]');
  await page.click(`[data-testid="blog-list"] a[href="#/blog/${blog.id}"]`);
  await page.waitForSelector('[data-testid="collab-status"][data-status="connected"]', { timeout: 15_000 });
  return page;
}

/** The summary's bullets as the editor shows them, without the other editors' caret labels. */
const summaryItems = (p: Page) =>
  p.evaluate(() =>
    [...document.querySelectorAll('.summary-panel .rt-content li')].map((li) => {
      const copy = li.cloneNode(true) as HTMLElement;
      for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
      return copy.textContent;
    }),
  );
const widgetBullets = (p: Page) =>
  p.evaluate(() =>
    [...(document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('.summary li') ?? [])].map(
      (li) => li.textContent,
    ),
  );

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({
    title: 'Live: harbour bridge closed after cable failure',
    description: 'Traffic diverted and ferries added while engineers inspect the bridge.',
  });
  const adaUser = await admin.createUser({ name: 'Ada Park', color: '#1f77b4' });
  const raviUser = await admin.createUser({ name: 'Ravi Menon', color: '#d62728' });
  await admin.addMember(blog.id, adaUser.id, 'editor');
  await admin.addMember(blog.id, raviUser.id, 'editor');
  const adaApi = createApi(server.url, adaUser.token);
  await adaApi.createPost(blog.id, {
    blocks: [text('<p>Police have closed the bridge after reports of a <strong>loud bang</strong> at 07:42.</p>')],
    keyEvent: true,
  });
  await adaApi.createPost(blog.id, {
    blocks: [
      {
        type: 'quote',
        text: 'It sounded like a gunshot, then the deck shook.',
        attribution: 'a cyclist on the bridge',
      },
    ],
  });

  const browser = await launchBrowser();
  const size = { viewport: { width: 1280, height: 900 } };
  ada = await signIn(await browser.newContext(size), adaUser.token);
  ravi = await signIn(await browser.newContext(size), raviUser.token);
  const partner = await startPartnerSite({ serverUrl: server.url, slug: blog.slug });
  reader = await (await browser.newContext({ viewport: { width: 900, height: 900 } })).newPage();
  errors.push((await watchPage(reader)).errors);
  await reader.goto(partner);
  await reader.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 15_000 });
});

afterAll(() => {
  expect(errors.flat()).toEqual([]);
});

describe('editor page', () => {
  it('shows both editors present', async () => {
    for (const p of [ada, ravi]) {
      await p.waitForSelector('[data-testid="editors-present"][data-count="2"]');
      expect(await p.locator('.collab-names').textContent()).toMatch(
        /Ada Park[\s\S]*Ravi Menon|Ravi Menon[\s\S]*Ada Park/,
      );
    }
    expect(await ada.locator('[data-testid="signed-in-as"]').textContent()).toContain('Ada Park');
  });

  it('co-edits the summary: each sees the other, carets carry names, the widget shows the bullets', async () => {
    await ada.click('.summary-panel .rt-content');
    await ada.keyboard.type('The bridge is closed in both directions.');
    await ravi.waitForFunction(() =>
      document.querySelector('.summary-panel .rt-content')?.textContent?.includes('closed in both directions.'),
    );
    // The caret goes to the end of the document through the editor itself, and the test waits
    // until ProseMirror's own state says it is there. A click or the End key only moves the DOM
    // selection, which ProseMirror reads a moment later; a remote change or a caret decoration
    // arriving first re-applies its older selection, and the Enter then split the first bullet
    // after its first letter (['T', …]).
    await ravi.evaluate(() => {
      const el = document.querySelector('.summary-panel .rt-content') as HTMLElement & {
        editor?: { commands: { focus(at: 'end'): boolean } };
      };
      el.editor?.commands.focus('end');
    });
    await ravi.waitForFunction(() => {
      const el = document.querySelector('.summary-panel .rt-content') as HTMLElement & {
        editor?: {
          isFocused: boolean;
          state: { doc: { content: { size: number } }; selection: { empty: boolean; head: number } };
        };
      };
      const ed = el.editor;
      // The end of the last paragraph: inside </paragraph></listItem></bulletList>.
      return (
        !!ed && ed.isFocused && ed.state.selection.empty && ed.state.selection.head === ed.state.doc.content.size - 3
      );
    });
    await ravi.keyboard.press('Enter');
    await ravi.keyboard.type('Extra ferries run every ten minutes.');
    await ada.waitForFunction(() =>
      document.querySelector('.summary-panel .rt-content')?.textContent?.includes('every ten minutes.'),
    );
    const expected = ['The bridge is closed in both directions.', 'Extra ferries run every ten minutes.'];
    expect(await summaryItems(ada)).toEqual(expected);
    expect(await summaryItems(ravi)).toEqual(expected);
    // Each sees the other's caret, labelled with the other's name.
    await ada.waitForSelector('.collaboration-carets__label:has-text("Ravi Menon")');
    await ravi.waitForSelector('.collaboration-carets__label:has-text("Ada Park")');

    // Readers get the rendered bullets a debounce after the last keystroke.
    await reader.waitForFunction(
      (want) =>
        JSON.stringify(
          [...(document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('.summary li') ?? [])].map(
            (li) => li.textContent,
          ),
        ) === JSON.stringify(want),
      expected,
      { timeout: 10_000 },
    );
    expect(await widgetBullets(reader)).toEqual(expected);
  });

  it('publishes a post that reaches the other editor and the widget live', async () => {
    await ada.click('.composer .rt-content');
    await ada.keyboard.type('Engineers have reached the top of the north tower.');
    // A quote block and a link embed in the same post.
    await ada.click('.composer button.secondary:text-is("quote")');
    await ada.fill('.composer .block-quote [data-field="text"]', 'We will know more by the evening.');
    await ada.fill('.composer .block-quote [data-field="attribution"]', 'the chief engineer');
    await ada.click('.composer button.secondary:text-is("embed")');
    await ada.fill('.composer .block-embed [data-field="url"]', 'https://city.example/notices/bridge');
    await ada.fill('.composer .block-embed [data-field="title"]', 'City notice: bridge closure');
    await ada.click('.composer [data-action="publish"]');
    await ada.waitForSelector('.composer .flash.ok');
    await ravi.waitForSelector('.published .item:has-text("north tower")');
    await reader.waitForFunction(() =>
      document
        .querySelector('[data-liveblog]')
        ?.shadowRoot?.querySelector('ol.posts')
        ?.textContent?.includes('north tower'),
    );
    const post = await reader.evaluate(() => {
      const li = [...(document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('li.post') ?? [])].find(
        (x) => x.textContent?.includes('north tower'),
      );
      return {
        quote: li?.querySelector('blockquote')?.textContent,
        by: li?.querySelector('figcaption')?.textContent,
        link: li?.querySelector('a.lb-link-card')?.getAttribute('href'),
      };
    });
    expect(post).toEqual({
      quote: 'We will know more by the evening.',
      by: '— the chief engineer',
      link: 'https://city.example/notices/bridge',
    });

    // Edit it: the composer loads the post's blocks and saving patches it for every reader.
    await ada.locator('.published .item:has-text("north tower") [data-action="edit"]').click();
    await ada.waitForSelector('#composer-h:text-is("Edit post")');
    expect(await ada.inputValue('.composer .block-quote [data-field="text"]')).toBe(
      'We will know more by the evening.',
    );
    await ada.fill('.composer .block-quote [data-field="text"]', 'We will know more by 18:00.');
    await ada.click('.composer [data-action="publish"]');
    await reader.waitForFunction(() =>
      document
        .querySelector('[data-liveblog]')
        ?.shadowRoot?.querySelector('ol.posts')
        ?.textContent?.includes('by 18:00.'),
    );
    expect(await ada.locator('#composer-h').textContent()).toBe('New post');
  });

  it('keeps drafts among editors, then publishes, pins and deletes from the list', async () => {
    await ravi.click('.composer .rt-content');
    await ravi.keyboard.type('Draft: reopening estimate expected at 18:00.');
    await ravi.click('.composer [data-action="draft"]');
    const draftItem = ada.locator('.drafts .item:has-text("reopening estimate")');
    await draftItem.waitFor();
    const inWidget = () =>
      reader.evaluate(() =>
        document
          .querySelector('[data-liveblog]')
          ?.shadowRoot?.querySelector('ol.posts')
          ?.textContent?.includes('reopening estimate'),
      );
    expect(await inWidget()).toBe(false);

    await draftItem.locator('[data-action="publish"]').click();
    await reader.waitForFunction(() =>
      document
        .querySelector('[data-liveblog]')
        ?.shadowRoot?.querySelector('ol.posts')
        ?.textContent?.includes('reopening estimate'),
    );
    const published = ravi.locator('.published .item:has-text("reopening estimate")');
    await published.locator('[data-action="pin"]').click();
    await reader.waitForFunction(() => {
      const first = document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('li.post');
      return first?.classList.contains('pinned') && first.textContent?.includes('reopening estimate');
    });
    await ada.waitForSelector('.published .item.pinned:has-text("reopening estimate")');
    await screenshot(reader, 'widget-with-summary', 'widget.png', false);
    await screenshot(ada, 'editor-ada', 'editor.png', false);

    ravi.once('dialog', (d) => void d.accept());
    await ravi.locator('.published .item:has-text("reopening estimate") [data-action="delete"]').click();
    await reader.waitForFunction(
      () =>
        !document
          .querySelector('[data-liveblog]')
          ?.shadowRoot?.querySelector('ol.posts')
          ?.textContent?.includes('reopening estimate'),
    );
  });

  it('refuses a bad token at sign-in', async () => {
    const page = await ada.context().browser()!.newPage();
    await page.goto(`${server.url}/editor`);
    await page.fill('input[name="token"]', 'not-a-real-token-at-all');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.flash.error:has-text("Sign-in failed")');
    await page.close();
  });
});
