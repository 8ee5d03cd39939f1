import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DomainError } from '../../src/domain/index.js';
import { escapeHtml, htmlToText, sanitizeInlineHtml, sanitizeTextBlockHtml } from '../../src/domain/sanitize.js';

const ATTACK_VECTORS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="java\tscript:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<p onclick="alert(1)" style="background:url(javascript:alert(1))">x</p>',
  '<style>body{background:red}</style>',
  '<object data="x.swf"></object><embed src="x.swf">',
  '<form action="https://evil"><input name=a><button>go</button></form>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<base href="https://evil/">',
  '<meta http-equiv="refresh" content="0;url=https://evil">',
  '<p><a href="https://ok.example" onmouseover="alert(1)">ok</a></p>',
  '"><script>alert(1)</script>',
  '<<script>script>alert(1)<</script>/script>',
];

describe('sanitizeInlineHtml', () => {
  test.each(ATTACK_VECTORS)('neutralises %s', (vector) => {
    const out = sanitizeInlineHtml(vector);
    expect(out).not.toMatch(/<\s*(script|style|iframe|img|svg|object|embed|form|input|base|meta|math)\b/i);
    expect(out).not.toMatch(/\son\w+\s*=/i);
    expect(out).not.toMatch(/javascript:|vbscript:|data:/i);
    expect(out).not.toMatch(/style=/i);
  });

  test('keeps the allowed subset and normalises b/i', () => {
    const html =
      '<p>A <strong>s</strong> <b>b</b> <em>e</em> <i>i</i><br>' +
      '<a href="https://example.com/x?a=1&amp;b=2">link</a> <a href="mailto:desk@example.com">mail</a></p>' +
      '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote>';
    expect(sanitizeInlineHtml(html)).toBe(
      '<p>A <strong>s</strong> <strong>b</strong> <em>e</em> <em>i</em><br />' +
        '<a href="https://example.com/x?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">link</a> ' +
        '<a href="mailto:desk@example.com" rel="noopener noreferrer nofollow" target="_blank">mail</a></p>' +
        '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote>',
    );
  });

  test('links without a safe absolute target keep their text but lose the tag', () => {
    expect(sanitizeInlineHtml('<a href="/relative">r</a> <a href="//evil.example">p</a> <a>n</a>')).toBe('r p n');
  });

  test('replaces client rel/target and drops other attributes', () => {
    const out = sanitizeInlineHtml('<a href="https://x.example" rel="opener" target="_self" class="c" id="i">x</a>');
    expect(out).toBe('<a href="https://x.example" rel="noopener noreferrer nofollow" target="_blank">x</a>');
  });

  test('unknown tags lose markup but keep text; script content is dropped', () => {
    expect(sanitizeInlineHtml('<div><span>Hello</span> <h1>World</h1></div><script>evil()</script>')).toBe(
      'Hello World',
    );
  });

  test('text is escaped, never interpreted', () => {
    expect(sanitizeInlineHtml('1 < 2 & 3 > 2')).toBe('1 &lt; 2 &amp; 3 &gt; 2');
  });

  test('property: output never contains a tag outside the subset nor an event handler', () => {
    const piece = fc.constantFrom(
      '<script>',
      '</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:x">',
      '<a href="https://ok.example">',
      '</a>',
      '<b>',
      '</b>',
      '<p>',
      '"',
      "'",
      '<',
      '>',
      'text',
      '<svg>',
      '<style>',
      '&lt;',
      ' onclick=x ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const out = sanitizeInlineHtml(parts.join(''));
        const tags = [...out.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]?.toLowerCase());
        for (const t of tags) expect(['p', 'strong', 'em', 'a', 'br', 'ul', 'ol', 'li', 'blockquote']).toContain(t);
        expect(out).not.toMatch(/<[^>]*\son\w+=/i);
        expect(out).not.toMatch(/href="(?!https?:|mailto:)/i);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sanitizeTextBlockHtml', () => {
  test('refuses a block with no visible text, naming the field', () => {
    for (const html of ['<script>alert(1)</script>', '<p>&nbsp;</p>', '<p> <br> </p>', '<img src=x>']) {
      let caught: unknown;
      try {
        sanitizeTextBlockHtml(html, ['blocks', 2, 'html']);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(DomainError);
      expect((caught as DomainError).code).toBe('validation_failed');
      expect((caught as DomainError).message).toContain('blocks.2.html');
      expect((caught as DomainError).details).toEqual([{ path: 'blocks.2.html', message: expect.any(String) }]);
    }
  });

  test('returns the sanitised html when text remains', () => {
    expect(sanitizeTextBlockHtml('<p>Hi<script>x</script></p>', ['html'])).toBe('<p>Hi</p>');
  });
});

describe('helpers', () => {
  test('htmlToText decodes entities and collapses whitespace', () => {
    expect(htmlToText('<p>a &amp; b</p><p>c&#39;d&nbsp;e</p>')).toBe("a & b c'd e");
  });
  test('escapeHtml escapes the five significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
