/** Resolves after `ms`; unref'd so a pending wait never holds the process open. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });
}
