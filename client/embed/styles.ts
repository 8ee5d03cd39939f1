/**
 * The widget's styles, scoped by its shadow root. Hosts theme it through CSS custom
 * properties set on the placeholder element (they inherit into the shadow tree).
 */
export const WIDGET_CSS = `
:host{display:block;contain:content;
  --_font:var(--lb-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);
  --_accent:var(--lb-accent,#c8102e);--_text:var(--lb-text,#1b1b1f);--_muted:var(--lb-muted,#5d5d66);
  --_bg:var(--lb-bg,#fff);--_card:var(--lb-card,#fff);--_border:var(--lb-border,#e3e3e8);
  --_radius:var(--lb-radius,6px);--_size:var(--lb-font-size,16px)}
*{box-sizing:border-box}
.root{font:var(--_size)/1.5 var(--_font);color:var(--_text);background:var(--_bg);padding:.5rem}
.bar{display:flex;align-items:center;gap:.5rem;font-size:.8em;color:var(--_muted);margin:0 0 .5rem}
.live{background:var(--_accent);color:#fff;font-weight:700;padding:0 .45em;border-radius:3px;letter-spacing:.04em}
.ended{background:var(--_muted)}
.offline{color:var(--_accent)}
.summary{border-left:4px solid var(--_accent);background:var(--_card);padding:.5rem .9rem;margin:0 0 .75rem;border-radius:var(--_radius)}
.summary h2{font-size:.95em;margin:0 0 .25rem;text-transform:uppercase;letter-spacing:.03em}
.summary ul{margin:0;padding-left:1.2em}
.posts{list-style:none;margin:0;padding:0}
.post{background:var(--_card);border:1px solid var(--_border);border-radius:var(--_radius);padding:.6rem .9rem;margin:0 0 .6rem}
.post.key{border-left:4px solid var(--_accent)}
.post.pinned{border-color:var(--_accent)}
.meta{display:flex;flex-wrap:wrap;gap:.6rem;align-items:baseline;font-size:.8em;color:var(--_muted);margin-bottom:.25rem}
.badge{font-weight:700;text-transform:uppercase;font-size:.9em;color:var(--_accent)}
.post p{margin:.3rem 0}
.post a{color:var(--_accent)}
figure{margin:.4rem 0}
img{max-width:100%;height:auto;border-radius:calc(var(--_radius) / 2)}
figcaption{font-size:.85em;color:var(--_muted)}
blockquote{margin:.3rem 0;padding-left:.8rem;border-left:3px solid var(--_border);font-style:italic}
iframe{max-width:100%;border:0}
.lb-link-card{display:block;border:1px solid var(--_border);border-radius:var(--_radius);padding:.5rem;text-decoration:none}
.lb-link-title{display:block;font-weight:600}
.lb-link-host,.lb-link-text{display:block;font-size:.85em;color:var(--_muted)}
button{font:inherit;cursor:pointer;border-radius:999px;border:1px solid var(--_accent);background:var(--_card);color:var(--_accent);padding:.3rem .9rem}
button.new{position:sticky;top:.5rem;z-index:1;display:block;margin:0 auto .5rem;background:var(--_accent);color:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.more{display:block;margin:.5rem auto}
.empty{color:var(--_muted)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
[hidden]{display:none!important}
`;
