/**
 * Relative times ("4 min ago") for the list and the exact local time for the title
 * attribute, both in the reader's own locale and time zone.
 */
const rtf =
  typeof Intl !== 'undefined' && 'RelativeTimeFormat' in Intl
    ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' })
    : null;
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

export function relativeTime(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  let delta = (then - now) / 1000;
  if (Math.abs(delta) < 45) return rtf ? rtf.format(0, 'second') : 'just now';
  for (const [unit, size] of STEPS) {
    if (Math.abs(delta) < size) return rtf ? rtf.format(Math.round(delta), unit) : `${Math.round(-delta)} ${unit}s ago`;
    delta /= size;
  }
  return exactTime(iso);
}

export function exactTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : exact.format(d);
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** "14:05" (or "2:05 PM"): the reader's locale and time zone decide. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : clock.format(d);
}
