// A fixed-capacity history: pushing past capacity overwrites the oldest entry, so
// memory per container stays bounded however long the agent runs.

export interface RingBuffer<T> {
  push(value: T): void;
  /** Oldest first. */
  toArray(): T[];
  last(): T | undefined;
  readonly size: number;
  readonly capacity: number;
}

export function createRingBuffer<T>(capacity: number): RingBuffer<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be >= 1, got ${capacity}`);
  const slots: (T | undefined)[] = new Array<T | undefined>(capacity);
  let next = 0;
  let size = 0;
  return {
    push(value) {
      slots[next] = value;
      next = (next + 1) % capacity;
      if (size < capacity) size += 1;
    },
    toArray() {
      const out: T[] = [];
      const start = (next - size + capacity) % capacity;
      for (let i = 0; i < size; i += 1) out.push(slots[(start + i) % capacity] as T);
      return out;
    },
    last() {
      return size === 0 ? undefined : slots[(next - 1 + capacity) % capacity];
    },
    get size() {
      return size;
    },
    capacity,
  };
}
