/**
 * Where media objects are fetched from: MEDIA_PUBLIC_URL when set (a CDN or the bucket's own
 * endpoint, which serves `<base>/<key>`), else this server's `/media/` under its public base
 * URL. Image blocks store absolute URLs, since partner sites load them from another origin.
 */
export function mediaBaseUrl(mediaPublicUrl: string | undefined, serverBaseUrl: string): string {
  return (mediaPublicUrl ?? `${serverBaseUrl.replace(/\/+$/, '')}/media`).replace(/\/+$/, '');
}

export function mediaUrl(base: string, key: string): string {
  return `${base}/${key}`;
}
