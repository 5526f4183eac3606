// Number formats shared by the Markdown report and the targets' figures.

const MIB = 1024 * 1024;

export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

export function mebibytes(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / MIB).toFixed(1)} MiB`;
}

export function formatRatio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value >= 100 ? `${Math.round(value).toLocaleString('en-US')}×` : `${value.toFixed(1)}×`;
}
