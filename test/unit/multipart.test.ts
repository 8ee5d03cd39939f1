import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { readUpload } from '../../src/http/multipart.js';

const limits = { maxFileBytes: 10_000, fileField: 'file', fieldNames: ['alt', 'caption', 'credit'] } as const;

const form = (parts: [string, string | Blob][]) => {
  const fd = new FormData();
  for (const [k, v] of parts) fd.append(k, v);
  return new Request('http://x/upload', { method: 'POST', body: fd });
};

async function refusal(req: Request): Promise<DomainError> {
  const err = await readUpload(req, limits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('multipart uploads', () => {
  it('reads the file and the text fields, ignoring the declared name and type', async () => {
    const bytes = Buffer.from([1, 2, 3, 4, 5]);
    const up = await readUpload(
      form([
        ['alt', 'Firefighters at the bridge'],
        ['file', new Blob([bytes], { type: 'text/html' })],
        ['credit', 'A. Reporter'],
      ]),
      limits,
    );
    expect(up.file.equals(bytes)).toBe(true);
    expect(up.fields).toEqual({ alt: 'Firefighters at the bridge', credit: 'A. Reporter' });
  });

  it('a wrong field name, no file, two files or an unknown field: 400 naming the problem', async () => {
    const blob = new Blob([Buffer.from('x')]);
    expect((await refusal(form([['image', blob]]))).message).toMatch(/field named file/);
    // A nameless part (busboy reports its name as undefined): once an uncaught TypeError.
    expect((await refusal(form([['', blob]]))).message).toMatch(/field named file/);
    expect(
      (
        await refusal(
          form([
            ['file', blob],
            ['', 'text'],
          ]),
        )
      ).message,
    ).toMatch(/unknown field ""/);
    expect((await refusal(form([['alt', 'only text']]))).message).toMatch(/no file/);
    expect(
      (
        await refusal(
          form([
            ['file', blob],
            ['file', blob],
          ]),
        )
      ).message,
    ).toMatch(/one file/);
    expect(
      (
        await refusal(
          form([
            ['file', blob],
            ['owner', 'me'],
          ]),
        )
      ).message,
    ).toMatch(/unknown field "owner"/);
  });

  it('a file over the limit: 413', async () => {
    const err = await refusal(form([['file', new Blob([Buffer.alloc(10_001)])]]));
    expect(err.code).toBe('payload_too_large');
  });

  it('not multipart, or a body cut mid-upload: 400', async () => {
    expect(
      (await refusal(new Request('http://x', { method: 'POST', body: 'x', headers: { 'content-type': 'image/jpeg' } })))
        .code,
    ).toBe('bad_request');
    const full = form([['file', new Blob([Buffer.alloc(5_000, 7)])]]);
    const type = full.headers.get('content-type')!;
    // Cut inside the file's bytes: no closing boundary ever arrives.
    const cut = Buffer.from(await full.arrayBuffer()).subarray(0, 3_000);
    const err = await refusal(
      new Request('http://x', { method: 'POST', body: cut, headers: { 'content-type': type } }),
    );
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/cut short/);
  });

  it('a body stream that errors mid-upload (the client went away): 400, nothing returned', async () => {
    const full = form([['file', new Blob([Buffer.alloc(5_000, 7)])]]);
    const type = full.headers.get('content-type')!;
    const head = Buffer.from(await full.arrayBuffer()).subarray(0, 1_000);
    const body = new ReadableStream({
      start(ctrl) {
        ctrl.enqueue(head);
        queueMicrotask(() => ctrl.error(new Error('socket hang up')));
      },
    });
    const req = new Request('http://x', {
      method: 'POST',
      body,
      headers: { 'content-type': type },
      duplex: 'half',
    } as RequestInit);
    expect((await refusal(req)).code).toBe('bad_request');
  });
});
