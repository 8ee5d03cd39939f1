import { escapeHtml } from '../../domain/sanitize.js';
import * as routes from '../contract/ops.js';
import { type OpenApiDocument as Doc, newRouter } from '../openapi.js';

type Operation = {
  summary: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
};

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1b1b}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;text-transform:capitalize}
section{border:1px solid #e3e3e3;border-radius:6px;margin:.8rem 0;padding:.2rem .9rem}
summary{cursor:pointer;padding:.4rem 0}code{font:13px ui-monospace,monospace}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font:700 12px ui-monospace,monospace;text-transform:uppercase}
.get{color:#1a7f37}.post{color:#0969da}.patch,.put{color:#9a6700}.delete{color:#cf222e}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px;max-height:24rem}
table{border-collapse:collapse}td,th{padding:.15rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.auth{color:#555;font-size:13px}`;

const pretty = (v: unknown) => `<pre>${escapeHtml(JSON.stringify(v, null, 2))}</pre>`;

function authNote(op: Operation): string {
  if (!op.security || op.security.length === 0) return 'no token needed';
  return op.security.length > 1 ? 'token optional (needed for drafts)' : 'bearer token required';
}

function renderOperation(method: string, path: string, op: Operation): string {
  const parameters = op.parameters ?? [];
  const params = parameters.length
    ? `<table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
        )
        .join('')}</table>`
    : '';
  // JSON for most routes; multipart/form-data for uploads.
  const [bodyType, bodyMedia] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
  const body = bodyMedia
    ? `<h4>Request body (<code>${escapeHtml(bodyType ?? '')}</code>)</h4>${pretty(bodyMedia.schema)}`
    : '';
  const responses = Object.entries(op.responses)
    .map(([status, r]) => {
      const schema = r.content?.['application/json']?.schema;
      const shown = schema && !status.startsWith('4') && !status.startsWith('5') ? pretty(schema) : '';
      return `<li><code>${escapeHtml(status)}</code> ${escapeHtml(r.description)}${shown}</li>`;
    })
    .join('');
  return `<section><details><summary><span class="m ${method}">${method}</span> <code>${escapeHtml(path)}</code> — ${escapeHtml(op.summary)} <span class="auth">(${authNote(op)})</span></summary>${params}${body}<h4>Responses</h4><ul>${responses}</ul></details></section>`;
}

/** A self-contained page (no external assets: nothing may be fetched from the internet). */
export function renderDocsPage(doc: Doc): string {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  const byTag = new Map<string, string[]>();
  for (const { name } of doc.tags ?? []) byTag.set(name, []);
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? 'other';
      const list = byTag.get(tag) ?? [];
      list.push(renderOperation(method, path, op));
      byTag.set(tag, list);
    }
  }
  const info = doc.info as { title: string; description?: string };
  const sections = [...byTag]
    .filter(([, ops]) => ops.length > 0)
    .map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>${ops.join('')}`)
    .join('');
  const errorSchema = doc.components?.schemas?.Error;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(info.title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(info.title)}</h1><p>${escapeHtml(info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Every error has this shape:</p>${pretty(errorSchema)}
${sections}</body></html>`;
}

/** /openapi.json and /docs, built once from the whole app's declarations on first request. */
export function docsRoutes(getDoc: () => Doc) {
  const app = newRouter();
  let page: string | null = null;

  app.openapi(routes.openapiDocument, (c) => c.json(getDoc() as { openapi: string }, 200));
  app.openapi(routes.docsPage, (c) => {
    page ??= renderDocsPage(getDoc());
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    );
    return c.html(page, 200);
  });
  return app;
}
