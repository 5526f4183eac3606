// A writer for the Prometheus text exposition format, version 0.0.4: families are
// declared once (one # HELP and one # TYPE each) and their samples are kept together,
// whatever order they were added in. Pure: strings in, one string out.
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

import { replaceControls } from '../control-chars.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

/** Label name → value pairs, in the order they are written. */
export type Labels = readonly (readonly [name: string, value: string])[];

export interface Family {
  add(labels: Labels, value: number): void;
}

export interface Exposition {
  /** Declares a family (or returns the one already declared under that name). */
  family(name: string, type: MetricType, help: string): Family;
  render(): string;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Label values escape backslash, double quote and line feed, as the format defines; other
 * control characters (from container names and labels) are replaced by the symbols that
 * picture them, so a terminal reading /metrics cannot be rewritten.
 */
export function escapeLabelValue(value: string): string {
  return replaceControls(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** HELP text escapes backslash and line feed (a double quote stays as it is). */
export function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

/** Go's ParseFloat reads what Number#toString writes, including 1e+21; NaN and ±Inf are spelled out. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

interface FamilyState {
  name: string;
  type: MetricType;
  help: string;
  lines: string[];
}

export function createExposition(): Exposition {
  const families = new Map<string, FamilyState>();
  return {
    family(name, type, help) {
      const existing = families.get(name);
      if (existing !== undefined && existing.type !== type) {
        throw new Error(`metric family ${name} declared as ${existing.type} and ${type}`);
      }
      if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
      const state = existing ?? { name, type, help, lines: [] };
      families.set(name, state);
      return {
        add(labels, value) {
          for (const [labelName] of labels) {
            if (!LABEL_NAME.test(labelName) || labelName.startsWith('__')) {
              throw new Error(`invalid label name ${JSON.stringify(labelName)} on ${name}`);
            }
          }
          state.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
        },
      };
    },
    render() {
      const out: string[] = [];
      for (const family of families.values()) {
        out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`, ...family.lines);
      }
      return out.length === 0 ? '' : `${out.join('\n')}\n`;
    },
  };
}
