// Each container's /containers entry kept as text (views/container-json.ts renders it),
// so that a request re-renders only what changed since the last one: a new sample, an
// inspect, a rename or a state change. What depends on the moment of the request, the
// age and staleness, is written per request between the kept pieces; requests of the
// same millisecond over the same entries get the same bytes, so under load (10 clients
// in a closed loop answer 2 or 3 a millisecond) most share the last answer, exact still.

import type { ContainerView } from '../sampler/store.js';
import { timeFieldsText, toContainerJsonFragment } from '../views/container-json.js';
import { runningLifecycle } from '../views/lifecycle-json.js';

/** One entry of a /containers answer: `"<id>":{…,` then its time fields, then `,…}`. */
export interface KeptEntry {
  readonly head: string;
  readonly tail: string;
  /** The sample's `read` (null before the first); ignored when timeless. */
  readonly readMs: number | null;
  /** Nothing goes between head and tail (a stopped container: its fields do not age). */
  readonly timeless: boolean;
  /** Head and tail are ASCII (Docker's names and image references are): one byte a character. */
  readonly ascii: boolean;
}

export interface ContainerJsonCache {
  /** `crashLooping` null: the plain entry; a boolean: with the lifecycle fields of ?all=1. */
  entry(view: ContainerView, crashLooping: boolean | null): KeptEntry;
  /** writeContainersBody(entries, nowMs), or the last answer when it was for the same entries at the same millisecond. */
  body(entries: readonly KeptEntry[], nowMs: number): Buffer;
}

interface Kept {
  info: ContainerView['info'];
  latest: ContainerView['latest'];
  details: ContainerView['details'];
  crashLooping: boolean | null;
  entry: KeptEntry;
}

function sameEntries(a: readonly KeptEntry[], b: readonly KeptEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

const ASCII = /^[\x00-\x7f]*$/;
const isAscii = (text: string): boolean => ASCII.test(text);

/**
 * Keyed on the store's view objects (one per container for its life in the store), so a
 * kept entry goes with its container; checked by identity against what it was rendered
 * from: the store replaces info, sample and details objects, never changes them in place.
 */
export function createContainerJsonCache(): ContainerJsonCache {
  const plain = new WeakMap<ContainerView, Kept>();
  const withLifecycle = new WeakMap<ContainerView, Kept>();
  let last: { entries: readonly KeptEntry[]; nowMs: number; body: Buffer } | null = null;
  return {
    body(entries, nowMs) {
      if (last !== null && last.nowMs === nowMs && sameEntries(last.entries, entries)) return last.body;
      last = { entries, nowMs, body: writeContainersBody(entries, nowMs) };
      return last.body;
    },
    entry(view, crashLooping) {
      const kept = (crashLooping === null ? plain : withLifecycle).get(view);
      if (
        kept !== undefined &&
        kept.info === view.info &&
        kept.latest === view.latest &&
        kept.details === view.details &&
        kept.crashLooping === crashLooping
      ) {
        return kept.entry;
      }
      const extra = crashLooping === null ? {} : { ...runningLifecycle(view.details, crashLooping) };
      const fragment = toContainerJsonFragment(view, extra);
      const head = `${JSON.stringify(view.info.id)}:${fragment.head}`;
      const entry: KeptEntry = { head, tail: fragment.tail, readMs: fragment.readMs, timeless: false, ascii: isAscii(head) && isAscii(fragment.tail) };
      (crashLooping === null ? plain : withLifecycle).set(view, { info: view.info, latest: view.latest, details: view.details, crashLooping, entry });
      return entry;
    },
  };
}

/** An entry whose JSON does not depend on the moment (a stopped container), rendered whole. */
export function timelessEntry(id: string, json: unknown): KeptEntry {
  const head = `${JSON.stringify(id)}:${JSON.stringify(json)}`;
  return { head, tail: '', readMs: null, timeless: true, ascii: isAscii(head) };
}

/** The answer `{entry,entry,…}\n`, every entry's time fields written at `nowMs`. */
export function writeContainersBody(entries: readonly KeptEntry[], nowMs: number): Buffer {
  let body = '{';
  let ascii = true;
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as KeptEntry;
    body += `${index === 0 ? '' : ','}${entry.head}${entry.timeless ? '' : timeFieldsText(entry.readMs, nowMs)}${entry.tail}`;
    ascii &&= entry.ascii;
  }
  // ASCII text is its own latin1 encoding, which Node copies byte for byte; UTF-8 is
  // encoded character by character, at twice the cost for a 100 KB answer.
  return Buffer.from(`${body}}\n`, ascii ? 'latin1' : 'utf8');
}
