import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appliesToEmptyDoc, updateCheck as check } from '../helpers/update-check.js';

type Edit =
  | { kind: 'text'; at: number; s: string }
  | { kind: 'cut'; at: number; n: number }
  | { kind: 'bold'; at: number; n: number }
  | { kind: 'map'; key: string; value: unknown }
  | { kind: 'xml'; name: string; s: string }
  | { kind: 'array'; values: unknown[] }
  | { kind: 'sync' };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), at: fc.nat(50), s: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(50), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('bold' as const), at: fc.nat(50), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    kind: fc.constant('map' as const),
    key: fc.string({ maxLength: 4 }),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.record({
    kind: fc.constant('xml' as const),
    name: fc.constantFrom('paragraph', 'bulletList', 'listItem'),
    s: fc.string({ maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('array' as const), values: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) }),
  fc.record({ kind: fc.constant('sync' as const) }),
);

/** Two editors making the edits in turn (and syncing now and then): every update they emit. */
function updatesOf(edits: Edit[], clients: [number, number]): Uint8Array[] {
  // Client ids from the property's input (not Yjs's random ones), so that a failure replays.
  const docs = clients.map((id) => {
    const doc = new Y.Doc();
    doc.clientID = id;
    return doc;
  });
  const out: Uint8Array[] = [];
  for (const d of docs) d.on('update', (u: Uint8Array, origin: unknown) => origin !== 'sync' && out.push(u));
  edits.forEach((e, i) => {
    const doc = docs[i % 2]!;
    const text = doc.getText('t');
    if (e.kind === 'text') text.insert(Math.min(e.at, text.length), e.s);
    if (e.kind === 'cut' && text.length > 0) {
      const at = Math.min(e.at, text.length - 1);
      text.delete(at, Math.min(e.n, text.length - at));
    }
    if (e.kind === 'bold' && text.length > 0) text.format(Math.min(e.at, text.length - 1), e.n, { bold: true });
    if (e.kind === 'map') doc.getMap('m').set(e.key, e.value);
    if (e.kind === 'xml') {
      const el = new Y.XmlElement(e.name);
      el.insert(0, [new Y.XmlText(e.s)]);
      doc.getXmlFragment('summary').insert(0, [el]);
    }
    if (e.kind === 'array') doc.getArray('a').push(e.values);
    if (e.kind === 'sync') {
      const [a, b] = docs as [Y.Doc, Y.Doc];
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'sync');
      Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), 'sync');
    }
  });
  out.push(Y.encodeStateAsUpdate(docs[0]!), Y.mergeUpdates(out.slice(-4)));
  return out;
}

/** Damage to an update: a byte changed (to a value that ends a varint), cut short, or a byte let in. */
const damage = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 127 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 127 }) }),
);

function damaged(u: Uint8Array, d: { kind: 'set' | 'cut' | 'insert'; at: number; byte?: number }): Uint8Array {
  const at = u.length === 0 ? 0 : d.at % u.length;
  if (d.kind === 'set') return Uint8Array.from(u, (b, i) => (i === at ? (d.byte ?? 0) : b));
  if (d.kind === 'cut') return u.slice(0, at);
  return Uint8Array.from([...u.slice(0, at), d.byte ?? 0, ...u.slice(at)]);
}

describe('the update check', () => {
  it('never passes what applying to an empty doc refuses, on real updates and damaged ones', () => {
    let decodedOnly = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(edit, { minLength: 1, maxLength: 25 }),
        fc.tuple(fc.nat(2 ** 32 - 1), fc.nat(2 ** 32 - 1)).filter(([a, b]) => a !== b),
        fc.array(damage, { maxLength: 6 }),
        (edits, clients, damages) => {
          for (const u of updatesOf(edits, clients)) {
            expect(check(u)).toBe(true);
            if (!Y.decodeUpdate(u).structs.some((s) => s.id.clock === 0)) decodedOnly++;
            for (const d of damages) {
              const bad = damaged(u, d);
              const verdict = check(bad);
              // Never let through what an empty doc would refuse. (The other way round happens:
              // decodeUpdate refuses a struct whose info byte has a Skip's low bits and more,
              // which applyUpdate reads as a Skip. No client writes one.)
              if (verdict) expect(appliesToEmptyDoc(bad)).toBe(true);
              else refused++;
            }
          }
        },
      ),
      { numRuns: Number(process.env.CHECK_RUNS ?? 300), seed: Number(process.env.CHECK_SEED ?? 20261201) },
    );
    // The cases the shortcut exists for, and refusals, both occurred (the property is not vacuous).
    expect(decodedOnly).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('refuses what is not an update at all', () => {
    for (const bytes of [[], [0xff, 0xff, 0xff], [1, 1, 5, 0, 0x28], [0, 1]]) {
      const u = new Uint8Array(bytes);
      expect(check(u)).toBe(appliesToEmptyDoc(u));
    }
    expect(check(new Uint8Array([0xff, 0xff, 0xff]))).toBe(false);
  });
});
