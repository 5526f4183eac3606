import { describe, expect, it } from 'vitest';
import { createSharedRender } from './shared-render.js';

describe('a shared rendering', () => {
  const setup = () => {
    const clock = { nowMs: 1_000 };
    const shared = createSharedRender({ maxAgeMs: 250, now: () => clock.nowMs });
    let renders = 0;
    const render = (): string => `render ${(renders += 1)}`;
    return { clock, shared, render, renders: () => renders };
  };

  it('serves the same value to every request within the maximum age', () => {
    const { clock, shared, render, renders } = setup();
    const inputs = ['list'];
    expect(shared.get('table', inputs, render)).toBe('render 1');
    clock.nowMs += 249;
    expect(shared.get('table', inputs, render)).toBe('render 1');
    expect(renders()).toBe(1);
    clock.nowMs += 1;
    expect(shared.get('table', inputs, render)).toBe('render 2');
  });

  it('renders afresh when an input changed, and keeps keys apart', () => {
    const { shared, render } = setup();
    const list = ['a'];
    expect(shared.get('table', [list], render)).toBe('render 1');
    expect(shared.get('table', [['a']], render)).toBe('render 2');
    expect(shared.get('metrics', [list], render)).toBe('render 3');
    expect(shared.get('table', [['a'], 'extra'], render)).toBe('render 4');
  });

  it('renders afresh when the clock went back', () => {
    const { clock, shared, render } = setup();
    shared.get('table', [], render);
    clock.nowMs -= 10;
    expect(shared.get('table', [], render)).toBe('render 2');
  });

  it('never shares with a maximum age of 0', () => {
    const clock = { nowMs: 5 };
    const shared = createSharedRender({ maxAgeMs: 0, now: () => clock.nowMs });
    let n = 0;
    shared.get('k', [], () => (n += 1));
    shared.get('k', [], () => (n += 1));
    expect(n).toBe(2);
  });
});
