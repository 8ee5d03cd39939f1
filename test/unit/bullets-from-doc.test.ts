import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { bulletsFromDoc, safeHref } from '../../src/collab/bullets-from-doc.js';
import { sameBullets } from '../../src/domain/index.js';
import { bulletList, listItem } from '../helpers/collab.js';

function docWith(items: Y.XmlElement[]): Y.Doc {
  const doc = new Y.Doc();
  bulletList(doc).insert(0, items);
  return doc;
}

describe('bulletsFromDoc', () => {
  it('renders an empty fragment to no bullets', () => {
    expect(bulletsFromDoc(new Y.Doc().getXmlFragment('summary'))).toEqual([]);
  });

  it('renders plain, bold, italic and linked runs', () => {
    const doc = docWith([
      listItem('Plain one'),
      listItem([
        { text: 'Fire at ' },
        { text: 'the port', bold: true },
        { text: ', says ' },
        { text: 'police', italic: true, bold: true },
        { text: ' (source)', href: 'https://example.com/a?b=1&c=2' },
      ]),
    ]);
    expect(bulletsFromDoc(doc.getXmlFragment('summary'))).toEqual([
      { html: 'Plain one', text: 'Plain one' },
      {
        html:
          'Fire at <strong>the port</strong>, says <strong><em>police</em></strong>' +
          '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow"> (source)</a>',
        text: 'Fire at the port, says police (source)',
      },
    ]);
  });

  it('escapes markup in text and drops unsafe links but keeps their words', () => {
    const doc = docWith([
      listItem([{ text: '<script>alert("x")</script> & co' }]),
      listItem([{ text: 'click', href: 'javascript:alert(1)' }]),
      listItem([{ text: 'mail', href: 'mailto:desk@example.com' }]),
    ]);
    const bullets = bulletsFromDoc(doc.getXmlFragment('summary'));
    expect(bullets[0]).toEqual({
      html: '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co',
      text: '<script>alert("x")</script> & co',
    });
    expect(bullets[1]).toEqual({ html: 'click', text: 'click' });
    expect(bullets[2]?.html).toBe('<a href="mailto:desk@example.com" rel="noopener noreferrer nofollow">mail</a>');
  });

  it('skips empty paragraphs and ignores content outside the bullet list', () => {
    const doc = docWith([listItem(''), listItem('   '), listItem('kept')]);
    doc.getXmlFragment('summary').insert(1, [new Y.XmlElement('paragraph')]);
    expect(bulletsFromDoc(doc.getXmlFragment('summary'))).toEqual([{ html: 'kept', text: 'kept' }]);
  });

  it('flattens nested lists after their parent bullet', () => {
    const parent = listItem('parent');
    const sub = new Y.XmlElement('bulletList');
    sub.insert(0, [listItem('child')]);
    parent.insert(1, [sub]);
    const doc = docWith([parent, listItem('next')]);
    expect(bulletsFromDoc(doc.getXmlFragment('summary')).map((b) => b.text)).toEqual(['parent', 'child', 'next']);
  });

  it('follows concurrent edits merged from two docs', () => {
    const a = docWith([listItem('one')]);
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    bulletList(a).insert(1, [listItem('from a')]);
    bulletList(b).insert(0, [listItem('from b')]);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const ra = bulletsFromDoc(a.getXmlFragment('summary'));
    expect(ra.map((x) => x.text).sort()).toEqual(['from a', 'from b', 'one']);
    expect(sameBullets(ra, bulletsFromDoc(b.getXmlFragment('summary')))).toBe(true);
  });
});

describe('bulletsFromDoc on hostile nesting', () => {
  it('does not overflow the stack on elements or lists nested thousands deep', () => {
    const doc = new Y.Doc();
    const list = bulletList(doc);
    list.insert(0, [listItem('top')]);
    doc.transact(() => {
      // Each level goes in after its parent is in the doc (a deep prelim overflows yjs itself).
      const paragraph = (list.get(0) as Y.XmlElement).get(0) as Y.XmlElement;
      let parent = paragraph;
      for (let i = 0; i < 5000; i++) {
        const child = new Y.XmlElement('span');
        parent.insert(parent.length, [child]);
        parent = child;
      }
      let item = list.get(0) as Y.XmlElement;
      for (let i = 0; i < 3000; i++) {
        const sub = new Y.XmlElement('bulletList');
        item.insert(item.length, [sub]);
        const next = listItem(`level ${i + 1}`);
        sub.insert(0, [next]);
        item = next;
      }
    });
    const bullets = bulletsFromDoc(doc.getXmlFragment('summary'));
    expect(bullets[0]?.text).toBe('top');
    expect(bullets[1]?.text).toBe('level 1');
    expect(bullets.length).toBeLessThan(100);
  });
});

describe('safeHref', () => {
  it('allows http, https and mailto only', () => {
    expect(safeHref({ href: 'http://a.example/' })).toBe('http://a.example/');
    expect(safeHref({ href: 'ftp://a.example/' })).toBeNull();
    expect(safeHref({ href: 'data:text/html,hi' })).toBeNull();
    expect(safeHref({ href: '/relative' })).toBeNull();
    expect(safeHref('https://not-an-object')).toBeNull();
  });
});

describe('sameBullets', () => {
  it('compares html and text in order', () => {
    expect(sameBullets([{ html: 'a', text: 'a' }], [{ html: 'a', text: 'a' }])).toBe(true);
    expect(sameBullets([{ html: 'a', text: 'a' }], [{ html: '<em>a</em>', text: 'a' }])).toBe(false);
    expect(sameBullets([], [{ html: 'a', text: 'a' }])).toBe(false);
  });
});
