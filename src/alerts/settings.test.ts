// What a `dockmon.alert.<rule>` label may say, and how it combines with the defaults
// from the environment (README: "A container label dockmon.alert.RULE=on|THRESHOLD turns
// one back on for that container").

import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, parseRuleLabel, ruleSetting, type AlertSettings } from './settings.js';
import type { AlertRule } from './types.js';

describe('parseRuleLabel', () => {
  it.each([
    ['80', 80],
    ['80%', 80],
    [' 80 % ', 80],
    ['12.5', 12.5],
    ['250', 250],
    ['10000', 10_000],
  ])('reads a percent: %j → %d', (raw, threshold) => {
    expect(parseRuleLabel('cpu', raw)).toEqual({ off: false, threshold });
    expect(parseRuleLabel('memory', raw)).toEqual({ off: false, threshold });
  });

  it.each(['0', '0%', '-5', '10001', 'abc', '80%%', '%80', '1e2', '', '80 percent'])('rejects the percent %j', (raw) => {
    expect(parseRuleLabel('cpu', raw)).toBeUndefined();
  });

  it.each([
    ['5', 5],
    ['1', 1],
    [' 12 ', 12],
  ])('reads a count: %j → %d', (raw, threshold) => {
    expect(parseRuleLabel('crash_loop', raw)).toEqual({ off: false, threshold });
  });

  it.each(['0', '2.5', '-3', '5x', '10001', ''])('rejects the count %j', (raw) => {
    expect(parseRuleLabel('crash_loop', raw)).toBeUndefined();
  });

  it.each([
    ['2m', 120_000],
    ['90s', 90_000],
    ['1500ms', 1_500],
    ['1h', 3_600_000],
    ['5M', 300_000],
    ['168h', 7 * 24 * 3_600_000],
  ])('reads a duration: %j → %d ms', (raw, threshold) => {
    expect(parseRuleLabel('stale', raw)).toEqual({ off: false, threshold });
  });

  it.each(['2', '500ms', '169h', '2d', '1.5m', 'm', '-1m', ''])('rejects the duration %j', (raw) => {
    expect(parseRuleLabel('stale', raw)).toBeUndefined();
  });

  it.each(['off', 'OFF', ' Off ', 'false', '0'])('reads %j as off for a switch', (raw) => {
    expect(parseRuleLabel('exited', raw)).toEqual({ off: true });
    expect(parseRuleLabel('unhealthy', raw)).toEqual({ off: true });
  });

  it.each(['on', 'ON', 'true', '1'])('reads %j as on for a switch', (raw) => {
    expect(parseRuleLabel('oom_killed', raw)).toEqual({ off: false, threshold: 1 });
  });

  it.each(['yes', 'maybe', '2', ''])('rejects the switch %j', (raw) => {
    expect(parseRuleLabel('exited', raw)).toBeUndefined();
  });

  it.each<AlertRule>(['cpu', 'memory', 'crash_loop', 'stale'])('turns %s off with "off" and "false"', (rule) => {
    expect(parseRuleLabel(rule, 'off')).toEqual({ off: true });
    expect(parseRuleLabel(rule, 'false')).toEqual({ off: true });
  });
});

describe('ruleSetting', () => {
  const allOff: AlertSettings = { ...DEFAULT_ALERT_SETTINGS, disabled: new Set<AlertRule>(['cpu', 'exited', 'crash_loop']) };

  function collectInvalid(): { keys: string[]; invalid: (key: string) => void } {
    const keys: string[] = [];
    return { keys, invalid: (key) => keys.push(key) };
  }

  it('gives the default from the settings without a label', () => {
    expect(ruleSetting('cpu', {}, DEFAULT_ALERT_SETTINGS)).toEqual({ off: false, threshold: DEFAULT_ALERT_SETTINGS.cpuPercent });
    expect(ruleSetting('memory', {}, DEFAULT_ALERT_SETTINGS)).toEqual({ off: false, threshold: DEFAULT_ALERT_SETTINGS.memoryPercent });
    expect(ruleSetting('crash_loop', {}, DEFAULT_ALERT_SETTINGS)).toEqual({ off: false, threshold: DEFAULT_ALERT_SETTINGS.crashLoopRestarts });
    expect(ruleSetting('stale', {}, DEFAULT_ALERT_SETTINGS)).toEqual({ off: false, threshold: DEFAULT_ALERT_SETTINGS.staleForMs });
    expect(ruleSetting('exited', {}, DEFAULT_ALERT_SETTINGS)).toEqual({ off: false, threshold: 1 });
  });

  it('takes the rule off for every container in ALERTS_OFF', () => {
    expect(ruleSetting('cpu', {}, allOff)).toEqual({ off: true });
    expect(ruleSetting('memory', {}, allOff)).toEqual({ off: false, threshold: 90 });
  });

  it('lets a label beat ALERTS_OFF: a threshold or "on" turns the rule back on for that container', () => {
    expect(ruleSetting('cpu', { 'dockmon.alert.cpu': '80' }, allOff)).toEqual({ off: false, threshold: 80 });
    expect(ruleSetting('exited', { 'dockmon.alert.exited': 'on' }, allOff)).toEqual({ off: false, threshold: 1 });
    expect(ruleSetting('crash_loop', { 'dockmon.alert.crash_loop': '5' }, allOff)).toEqual({ off: false, threshold: 5 });
  });

  it('lets a label turn a rule off, or change its threshold, for one container', () => {
    expect(ruleSetting('memory', { 'dockmon.alert.memory': 'off' }, DEFAULT_ALERT_SETTINGS)).toEqual({ off: true });
    expect(ruleSetting('stale', { 'dockmon.alert.stale': '5m' }, DEFAULT_ALERT_SETTINGS)).toEqual({ off: false, threshold: 300_000 });
  });

  it("reads only the rule's own label", () => {
    const labels = { 'dockmon.alert.memory': 'off', 'dockmon.alert.cpu.extra': '10', 'com.example.cpu': '10' };
    expect(ruleSetting('cpu', labels, DEFAULT_ALERT_SETTINGS)).toEqual({ off: false, threshold: 90 });
  });

  it('ignores a label that does not parse, reports its key, and keeps the default', () => {
    const { keys, invalid } = collectInvalid();
    expect(ruleSetting('cpu', { 'dockmon.alert.cpu': 'lots' }, DEFAULT_ALERT_SETTINGS, invalid)).toEqual({ off: false, threshold: 90 });
    expect(keys).toEqual(['dockmon.alert.cpu']);
  });

  it('with an invalid label on a rule in ALERTS_OFF, the rule stays off (and the label is reported)', () => {
    const { keys, invalid } = collectInvalid();
    expect(ruleSetting('cpu', { 'dockmon.alert.cpu': 'lots' }, allOff, invalid)).toEqual({ off: true });
    expect(keys).toEqual(['dockmon.alert.cpu']);
  });

  it('does not report a valid label or a missing one', () => {
    const { keys, invalid } = collectInvalid();
    ruleSetting('cpu', { 'dockmon.alert.cpu': '50%' }, DEFAULT_ALERT_SETTINGS, invalid);
    ruleSetting('memory', {}, DEFAULT_ALERT_SETTINGS, invalid);
    expect(keys).toEqual([]);
  });
});
