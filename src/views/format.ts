// Human-readable numbers, with the conventions of `docker stats` so the page and
// the CLI read the same: memory in binary units (KiB, MiB), network and block I/O
// in decimal units (kB, MB), percentages with two decimals.
// Source: docker/cli cli/command/formatter/stats.go and docker/go-units size.go.

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

function scale(value: number, base: number, units: readonly string[]): { amount: number; unit: string } {
  let amount = value;
  let index = 0;
  while (amount >= base && index < units.length - 1) {
    amount /= base;
    index += 1;
  }
  return { amount, unit: units[index] ?? 'B' };
}

/** 4 significant digits, binary units: "40.92MiB" (go-units BytesSize). */
export function formatBytesBinary(bytes: number): string {
  const { amount, unit } = scale(bytes, 1024, BINARY_UNITS);
  return `${Number(amount.toPrecision(4))}${unit}`;
}

/** 3 significant digits, decimal units: "1.64MB" (go-units HumanSizeWithPrecision(x, 3)). */
export function formatBytesDecimal(bytes: number): string {
  const { amount, unit } = scale(bytes, 1000, DECIMAL_UNITS);
  return `${Number(amount.toPrecision(3))}${unit}`;
}

export function formatRate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '–' : `${formatBytesDecimal(bytesPerSecond)}/s`;
}

export function formatPercent(percent: number | null): string {
  return percent === null ? '–' : `${percent.toFixed(2)}%`;
}

/** "3s", "2m 5s", "1h 4m", "3d 4h": how old a value is, or how long something has run. */
export function formatAge(ageMs: number): string {
  const seconds = Number.isFinite(ageMs) ? Math.max(0, Math.floor(ageMs / 1000)) : 0;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/**
 * How long something has run, coarser than formatAge so it changes once a minute, not
 * once a second (a live row is re-sent only when it changes): "45s", "4m", "3h 4m", "2d 3h".
 */
export function formatUptime(ms: number): string {
  const seconds = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  return formatAge(ms);
}

/** The exact figure for a title: 42905600 → "42,905,600". */
export function formatInteger(value: number): string {
  const rounded = Math.round(value);
  const sign = rounded < 0 ? '-' : '';
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A CPU count or limit: "1 CPU", "0.5 CPU", "2 CPUs", "1.25 CPUs". */
export function formatCores(cores: number): string {
  const text = String(Number(cores.toFixed(2)));
  return `${text} ${cores > 1 ? 'CPUs' : 'CPU'}`;
}

/** A percentage without the fixed two decimals, for axis labels: 100 → "100%", 12.5 → "12.5%". */
export function formatPercentShort(percent: number): string {
  return `${Number(percent.toPrecision(3))}%`;
}
