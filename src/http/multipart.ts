import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { DomainError } from '../domain/index.js';

export interface Upload {
  file: Buffer;
  /** The other text fields, by name (first value of each). */
  fields: Record<string, string>;
}

export interface UploadLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** The one file field's name. */
  fileField: string;
  /** Text fields allowed beside the file. */
  fieldNames: readonly string[];
}

const fileError = (code: 'bad_request' | 'payload_too_large' | 'validation_failed', message: string) =>
  new DomainError(code, message, [{ path: 'file', message }]);

/**
 * Reads a multipart/form-data upload with one file into memory, within limits: the file is
 * bounded by maxFileBytes (413 as soon as it goes past, without reading the rest), the text
 * fields by count and size. A wrong field name, a second file, unknown fields and a body
 * cut short all answer 400 before anything is stored; nothing touches the disk, so a failed
 * upload leaves no temporary file. The client's file name and declared type are ignored:
 * what the file is comes from its bytes (src/media/detect.ts).
 */
export async function readUpload(req: Request, limits: UploadLimits): Promise<Upload> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new DomainError(
      'bad_request',
      `Content-Type must be multipart/form-data with the image in a field named ${limits.fileField}`,
    );
  }
  if (!req.body)
    throw fileError('bad_request', `the body is empty; send the image in a field named ${limits.fileField}`);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': type },
      limits: {
        files: 1,
        fileSize: limits.maxFileBytes,
        fields: limits.fieldNames.length,
        fieldSize: 4096,
        parts: limits.fieldNames.length + 1,
        headerPairs: 20,
      },
    });
  } catch {
    throw new DomainError('bad_request', 'the multipart body has no valid boundary');
  }
  const body = Readable.fromWeb(req.body as unknown as NodeReadableStream);

  return new Promise<Upload>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let sawFile = false;
    const fields: Record<string, string> = {};
    let failed = false;
    const fail = (err: DomainError) => {
      if (failed) return;
      failed = true;
      chunks.length = 0;
      // Stop reading: the rest of the body is not wanted (the server closes the connection).
      body.unpipe(parser);
      body.destroy();
      reject(err);
    };

    // busboy reports a part without a name (`name=""` or none) as undefined.
    parser.on('file', (rawName: string | undefined, stream) => {
      const name = rawName ?? '';
      if (name !== limits.fileField) {
        stream.resume();
        fail(
          fileError(
            'validation_failed',
            `unexpected file field "${name.slice(0, 50)}"; send the image in a field named ${limits.fileField}`,
          ),
        );
        return;
      }
      sawFile = true;
      // A body cut inside the file part errors the file stream as well as the parser.
      stream.on('error', () => fail(fileError('bad_request', 'the upload was cut short')));
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      stream.on('limit', () => fail(fileError('payload_too_large', `the file exceeds ${limits.maxFileBytes} bytes`)));
    });
    parser.on('field', (rawName: string | undefined, value, info) => {
      const name = rawName ?? '';
      if (!limits.fieldNames.includes(name)) {
        fail(
          new DomainError('validation_failed', `unknown field "${name.slice(0, 50)}"`, [
            { path: name.slice(0, 50), message: 'unknown field' },
          ]),
        );
        return;
      }
      if (info.valueTruncated) {
        fail(new DomainError('validation_failed', `${name}: too long`, [{ path: name, message: 'too long' }]));
        return;
      }
      fields[name] ??= value;
    });
    parser.on('filesLimit', () => fail(fileError('validation_failed', 'send one file per upload')));
    parser.on('fieldsLimit', () => fail(new DomainError('validation_failed', 'too many fields')));
    parser.on('partsLimit', () => fail(new DomainError('validation_failed', 'too many parts')));
    parser.on('error', () =>
      fail(fileError('bad_request', 'the upload was cut short or is not valid multipart/form-data')),
    );
    body.on('error', () => fail(fileError('bad_request', 'the upload was cut short')));
    parser.on('close', () => {
      if (failed) return;
      if (!sawFile) {
        fail(fileError('validation_failed', `no file; send the image in a field named ${limits.fileField}`));
        return;
      }
      resolve({ file: Buffer.concat(chunks, size), fields });
    });
    body.pipe(parser);
  });
}
