import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The most common passwords, from zxcvbn-ts's frequency-ranked list (built from leaked
 * password corpora), lower-cased. Loaded once, on first use.
 */
let common: ReadonlySet<string> | null = null;
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

/** Longer than any passphrase a person types; bounds the KDF's input. */
export const PASSWORD_MAX_LENGTH = 256;

/**
 * Why a new password is refused, or null when it is acceptable. Follows NIST SP 800-63B:
 * a minimum length and a block list, no composition rules. Length counts code points, so
 * a passphrase in any script counts what a person typed.
 */
export function passwordProblem(password: string, minLength: number, context: string[] = []): string | null {
  const length = [...password].length;
  if (length < minLength) return `must be at least ${minLength} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'is one of the most common passwords';
  if (/^(.)\1*$/u.test(password)) return 'repeats a single character';
  for (const c of context) {
    // The person's own email or name as the password is the first thing an attacker tries.
    if (c.length >= 4 && lower.includes(c.toLowerCase())) return 'must not contain your name or email';
  }
  return null;
}
