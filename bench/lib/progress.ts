/**
 * One progress line while the bench runs: rewritten in place on a terminal, printed at most
 * once a second (and on change) when the output is a file or a CI log.
 */
const tty = process.stderr.isTTY === true;
let lastText = '';
let lastAt = 0;
let step = '';

export function setStep(text: string): void {
  step = text;
  progress('');
}

export function progress(detail: string): void {
  const text = detail ? `${step}: ${detail}` : step;
  if (text === lastText) return;
  if (tty) {
    process.stderr.write(`\r\x1b[K${text.slice(0, (process.stderr.columns ?? 120) - 1)}`);
  } else if (Date.now() - lastAt >= 1000 || !detail) {
    process.stderr.write(`… ${text}\n`);
    lastAt = Date.now();
  }
  lastText = text;
}

/** Ends the progress line so that normal output starts on a fresh line. */
export function endProgress(): void {
  if (tty && lastText) process.stderr.write('\r\x1b[K');
  lastText = '';
}

export function note(text: string): void {
  endProgress();
  process.stderr.write(`${text}\n`);
}
