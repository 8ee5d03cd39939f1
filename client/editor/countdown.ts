/**
 * "in 2 h 05 min", "in 4 min 09 s", "in 12 s", "due now": how long until a scheduled post
 * goes out, precise to the second in the last hour (when editors watch it).
 */
export function countdownText(ms: number): string {
  if (ms <= 500) return 'due now';
  const total = Math.round(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `in ${d} d ${h} h`;
  if (h > 0) return `in ${h} h ${two(m)} min`;
  if (m > 0) return `in ${m} min ${two(s)} s`;
  return `in ${s} s`;
}

/** A `datetime-local` input's value (the editor's own time zone) as an ISO instant, or null. */
export function localInputToIso(value: string): string | null {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
