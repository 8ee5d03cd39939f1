import { z } from 'zod';

/**
 * Error codes shared by every transport. HTTP maps them to statuses (http/errors.ts),
 * Socket.IO acks carry them as-is, collab maps them to close codes.
 */
export const ErrorCode = z.enum([
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  /** An upload whose bytes are not an accepted image type (HTTP 415). */
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  /** The request named a host this server may not put into its links (no PUBLIC_URL, not loopback). */
  'misdirected',
  /** The request is understood but this server does not do it (e.g. an oEmbed format other than json). */
  'not_implemented',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Thrown by domain rules and stores; each transport turns it into its own error shape. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', message, details);
