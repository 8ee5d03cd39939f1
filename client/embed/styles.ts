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
.ended-banner{background:var(--_card);border:1px solid var(--_border);border-inline-start:4px solid var(--_muted);border-radius:var(--_radius);padding:.5rem .9rem;margin:0 0 .75rem;font-weight:600}
.controls{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;margin:0 0 .6rem;font-size:.85em}
.controls .views{display:inline-flex;gap:.3rem}
.controls button[aria-pressed="true"]{background:var(--_accent);color:#fff}
.controls select{font:inherit;border:1px solid var(--_border);border-radius:var(--_radius);background:var(--_card);color:var(--_text);padding:.2rem .4rem}
.correction{font-size:.85em;color:var(--_muted);border-top:1px dashed var(--_border);margin:.4rem 0 0;padding-top:.3rem}
.tags{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem;margin:.4rem 0 0;padding:0}
.tags li{font-size:.75em;border:1px solid var(--_border);border-radius:999px;padding:0 .5em;color:var(--_muted)}
.posts.timeline{border-inline-start:2px solid var(--_accent);padding-inline-start:.8rem}
.timeline-item{border:0;background:none;padding:.2rem 0;margin:0 0 .3rem}
.timeline-item summary{cursor:pointer}
.timeline-item .headline{font-weight:600}
button.new.at-end{top:auto;bottom:.5rem;margin:.5rem auto 0}
.summary{border-left:0;border-inline-start:4px solid var(--_accent)}
.summary ul{padding-left:0;padding-inline-start:1.2em}
blockquote{padding-left:0;border-left:0;padding-inline-start:.8rem;border-inline-start:3px solid var(--_border)}
.post.key{border-left-width:1px;border-inline-start:4px solid var(--_accent)}
.poll{border:1px solid var(--_border);border-radius:var(--_radius);padding:.5rem .7rem;margin:.4rem 0}
.poll .question{font-weight:600;margin:0 0 .4rem}
.poll ol{list-style:none;margin:0;padding:0}
.poll .option{display:grid;grid-template-columns:1fr auto;gap:.1rem .6rem;width:100%;text-align:start;border-radius:var(--_radius);border-color:var(--_border);color:var(--_text);margin:0 0 .3rem}
.poll .option[aria-pressed="true"]{border-color:var(--_accent);font-weight:600}
.poll .option:disabled{cursor:default;opacity:1}
.poll .track{grid-column:1/-1;height:.4rem;background:var(--_border);border-radius:999px;overflow:hidden}
.poll .fill{display:block;height:100%;width:0;background:var(--_accent);transition:width .4s}
.poll .n,.poll-state{font-size:.8em;color:var(--_muted)}
.poll-state{margin:.2rem 0 0}
.reactions{display:flex;flex-wrap:wrap;gap:.3rem;margin:.4rem 0 0}
.reaction{border-color:var(--_border);padding:.1rem .5rem;font-size:.9em}
.reaction[aria-pressed="true"]{border-color:var(--_accent);background:var(--_border)}
.ask-box{margin:0 0 .75rem}
.ask summary{cursor:pointer;color:var(--_accent);font-weight:600}
.ask-form{display:grid;gap:.4rem;margin:.4rem 0 0}
.ask-form textarea,.ask-form input{font:inherit;border:1px solid var(--_border);border-radius:var(--_radius);padding:.3rem .5rem;background:var(--_card);color:var(--_text)}
.ask-form button{justify-self:start}
.ask-status{font-size:.85em;color:var(--_muted);margin:0}
[hidden]{display:none!important}
`;
