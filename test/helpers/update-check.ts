import * as Y from 'yjs';
import { CHECK_UPDATE_SOURCE } from '../../src/lib/yjs-update-check.js';

/** The update check as the workers run it (their source), evaluated in this isolate with this yjs. */
export const updateCheck = new Function('Y', `${CHECK_UPDATE_SOURCE}; return (update) => checkUpdate(Y, update);`)(
  Y,
) as (update: Uint8Array) => boolean;

/** What the check stands for: the update applied to an empty doc. */
export function appliesToEmptyDoc(update: Uint8Array): boolean {
  try {
    const doc = new Y.Doc({ guid: 'reference' });
    Y.applyUpdate(doc, update);
    doc.destroy();
    return true;
  } catch {
    return false;
  }
}
