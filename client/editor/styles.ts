export const EDITOR_CSS = `
:root{--accent:#c8102e;--muted:#5d5d66;--border:#dcdce2;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1f;background:#f4f4f6}
body{margin:0}
#lb-editor-app{max-width:72rem;margin:0 auto;padding:1rem}
header.top{display:flex;align-items:center;gap:1rem;justify-content:space-between;margin-bottom:1rem}
header.top h1{font-size:1.3rem;margin:0}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
.panel{background:#fff;border:1px solid var(--border);border-radius:8px;padding:1rem;margin-bottom:1rem}
.panel h2{font-size:1.05rem;margin:0 0 .5rem}
.panel h3{font-size:.9rem;margin:.75rem 0 .25rem;color:var(--muted);text-transform:uppercase}
label{display:block;margin:.3rem 0;font-size:.9rem}
input[type=text],input[type=url],input[type=password],input:not([type]),textarea{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.35rem .5rem;border:1px solid var(--border);border-radius:4px}
input[type=checkbox]{display:inline}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
.row label{display:inline-flex;gap:.3rem;align-items:center}
button{font:inherit;cursor:pointer;border-radius:4px;border:1px solid var(--border);background:#fff;padding:.3rem .7rem}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.secondary{font-size:.85rem;padding:.15rem .5rem}
button.link{border:0;background:none;color:var(--accent);padding:0}
.flash{min-height:1.2em;margin:.3rem 0;font-size:.9rem}
.flash.error{color:#b00020}
.flash.ok{color:#1d6b35}
.block{border:1px dashed var(--border);border-radius:6px;padding:.5rem;margin:.5rem 0}
.block-head{display:flex;justify-content:space-between;font-size:.8rem;text-transform:uppercase;color:var(--muted)}
.rt{border:1px solid var(--border);border-radius:4px}
.rt-toolbar{display:flex;gap:.25rem;padding:.25rem;border-bottom:1px solid var(--border);background:#fafafa}
.rt-toolbar button{padding:.1rem .5rem;font-size:.85rem}
.rt-content{min-height:4rem;padding:.4rem .6rem;outline:none}
.rt-content p{margin:.25rem 0}
.summary-panel .rt-content{min-height:7rem}
.collab-bar{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;font-size:.85rem;color:var(--muted);margin-bottom:.5rem}
.collab-status[data-status=connected]{color:#1d6b35}
.collab-status[data-status=revoked]{color:#b00020;font-weight:600}
.who{border-left:4px solid;padding-left:.3rem}
.collaboration-carets__caret{position:relative;margin-left:-1px;margin-right:-1px;border-left:1px solid;border-right:1px solid;word-break:normal;pointer-events:none}
.collaboration-carets__label{position:absolute;top:-1.4em;left:-1px;font-size:.7rem;font-weight:600;line-height:normal;white-space:nowrap;color:#fff;padding:.05rem .3rem;border-radius:3px 3px 3px 0;user-select:none}
.list{list-style:none;margin:0;padding:0}
.item{border-top:1px solid var(--border);padding:.5rem 0}
.item.key{border-left:3px solid var(--accent);padding-left:.5rem}
.meta{font-size:.8rem;color:var(--muted);display:flex;gap:.4rem;align-items:center}
.badge{font-size:.7rem;font-weight:700;text-transform:uppercase;color:var(--accent)}
.preview{font-size:.9rem;max-height:6rem;overflow:hidden}
.preview p{margin:.2rem 0}
.blogs li{padding:.4rem 0;border-top:1px solid var(--border)}
.hint{font-size:.85rem;color:var(--muted);margin:.2rem 0 .5rem}
code.snippet{display:block;font-size:.8rem;background:#f4f4f6;padding:.4rem;border-radius:4px;word-break:break-all}
.empty{color:var(--muted);font-size:.9rem}
.dropzone{border:2px dashed var(--border);border-radius:6px;padding:.5rem;margin:.3rem 0}
.dropzone.over{border-color:var(--accent);background:#fff5f6}
.dropzone progress{display:block;width:100%}
.upload-preview{display:block;max-width:100%;max-height:12rem;margin:.3rem 0;border-radius:4px}
table.audit{border-collapse:collapse;width:100%;font-size:.85rem}
table.audit td,table.audit th{border-top:1px solid var(--border);padding:.25rem .4rem;text-align:left;vertical-align:top}
`;
