// Reads the Prometheus text format back, strictly, so tests check what a scraper sees:
// every sample, its labels (unescaped) and value, and the structural rules of the format
// (one HELP and one TYPE per family, before its samples, and a family's samples together).

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  help: Map<string, string>;
  type: Map<string, string>;
  /** Rule violations found while reading; empty for a well-formed exposition. */
  problems: string[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/;

function parseLabels(text: string, problems: string[], line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  while (i < text.length - 1) {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    if (eq === -1 || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || text[eq + 1] !== '"') {
      problems.push(`bad label syntax in: ${line}`);
      return labels;
    }
    let value = '';
    let j = eq + 2;
    for (; j < text.length; j += 1) {
      const char = text[j];
      if (char === '\\') {
        const next = text[j + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        if (next !== 'n' && next !== '\\' && next !== '"') problems.push(`bad escape \\${next ?? ''} in: ${line}`);
        j += 1;
      } else if (char === '"') {
        break;
      } else {
        value += char;
      }
    }
    if (Object.hasOwn(labels, name)) problems.push(`label ${name} twice in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i += 1;
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

export function parseExposition(text: string): ParsedExposition {
  const parsed: ParsedExposition = { samples: [], help: new Map(), type: new Map(), problems: [] };
  const finished = new Set<string>();
  let current: string | null = null;
  if (text !== '' && !text.endsWith('\n')) parsed.problems.push('the body does not end with a line feed');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind = '', name = '', rest = ''] = meta;
      const map = kind === 'HELP' ? parsed.help : parsed.type;
      if (map.has(name)) parsed.problems.push(`${kind} ${name} appears twice`);
      if (parsed.samples.some((sample) => sample.name === name)) parsed.problems.push(`${kind} ${name} after its samples`);
      map.set(name, rest);
      if (current !== name && current !== null) finished.add(current);
      current = name;
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) {
      parsed.problems.push(`unreadable line: ${line}`);
      continue;
    }
    const [, name = '', labelText, valueText = ''] = match;
    if (finished.has(name)) parsed.problems.push(`samples of ${name} are not together`);
    if (current !== name) {
      if (current !== null) finished.add(current);
      current = name;
    }
    if (!parsed.type.has(name)) parsed.problems.push(`${name} has no TYPE`);
    if (!parsed.help.has(name)) parsed.problems.push(`${name} has no HELP`);
    const value = parseValue(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') parsed.problems.push(`bad value in: ${line}`);
    parsed.samples.push({ name, labels: labelText ? parseLabels(labelText, parsed.problems, line) : {}, value });
  }
  return parsed;
}

/** Samples of `name` whose labels include every pair of `labels`. */
export function findSamples(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): ParsedSample[] {
  return parsed.samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The one sample of `name` with these labels; throws when there is none or several. */
export function sampleValue(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): number {
  const found = findSamples(parsed, name, labels);
  const [only] = found;
  if (found.length !== 1 || only === undefined) {
    throw new Error(`expected one ${name}${JSON.stringify(labels)}, found ${found.length}`);
  }
  return only.value;
}
