// `docker stats` display formatting, replicated exactly so tests can compare our numbers
// with what the CLI printed.
//
// Provenance:
// - docker/go-units size.go (BytesSize, HumanSizeWithPrecision, getSizeAndUnit):
//   https://github.com/docker/go-units/blob/master/size.go
// - docker/cli cli/command/container/formatter_stats.go (formatPercentage, MemUsage, NetIO)
// - Go strconv/ftoa.go and decimal.go for %g and %f: digits are the *exact* decimal value
//   of the double, rounded half-to-even; %g switches to an exponent when the rounded
//   exponent is < -4 or >= precision, and drops trailing zeros. JS toPrecision/toFixed
//   round ties away from zero and keep trailing zeros, so they cannot be used directly.

/** The exact decimal expansion of a finite double: value = 0.d1d2d3… × 10^pointPosition. */
interface Decimal {
  digits: string; // no leading or trailing zeros; '' for zero
  pointPosition: number; // Go's decimal.dp
}

function exactDecimal(value: number): Decimal {
  if (value === 0) return { digits: '', pointPosition: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent = -1074;
  if (biasedExponent !== 0) {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  let digits: string;
  let pointPosition: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    pointPosition = digits.length;
  } else {
    // m / 2^k = m × 5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    pointPosition = digits.length + exponent;
  }
  return { digits: digits.replace(/0+$/, ''), pointPosition };
}

/** Go's decimal.Round(nd): keep nd digits, ties to even on the exact value. */
function roundDecimal(decimal: Decimal, keep: number): Decimal {
  const { digits, pointPosition } = decimal;
  if (keep < 0 || keep >= digits.length) return decimal;
  const next = digits.charAt(keep);
  const exactlyHalf = next === '5' && keep + 1 === digits.length;
  const previousOdd = keep > 0 && Number(digits.charAt(keep - 1)) % 2 === 1;
  const roundUp = exactlyHalf ? previousOdd : next >= '5';
  if (!roundUp) {
    return { digits: digits.slice(0, keep).replace(/0+$/, ''), pointPosition };
  }
  for (let i = keep - 1; i >= 0; i--) {
    const digit = Number(digits.charAt(i));
    if (digit < 9) return { digits: digits.slice(0, i) + String(digit + 1), pointPosition };
  }
  return { digits: '1', pointPosition: pointPosition + 1 };
}

function digitAt(decimal: Decimal, index: number): string {
  return index >= 0 && index < decimal.digits.length ? decimal.digits.charAt(index) : '0';
}

// strconv fmtF
function formatF(decimal: Decimal, precision: number): string {
  let out = '';
  if (decimal.pointPosition > 0) {
    for (let i = 0; i < decimal.pointPosition; i++) out += digitAt(decimal, i);
  } else {
    out = '0';
  }
  if (precision > 0) {
    out += '.';
    for (let i = 1; i <= precision; i++) out += digitAt(decimal, decimal.pointPosition + i - 1);
  }
  return out;
}

// strconv fmtE ('e' verb, at least two exponent digits)
function formatE(decimal: Decimal, precision: number): string {
  let out = digitAt(decimal, 0);
  if (precision > 0) {
    out += '.';
    for (let i = 1; i <= precision; i++) out += digitAt(decimal, i);
  }
  const exponent = decimal.digits.length === 0 ? 0 : decimal.pointPosition - 1;
  const sign = exponent < 0 ? '-' : '+';
  return `${out}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function assertFinite(value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format ${value} like Go`);
}

/** Go `strconv.FormatFloat(value, 'f', precision, 64)`, i.e. `%.<precision>f`. */
export function formatGoFixed(value: number, precision: number): string {
  assertFinite(value);
  const decimal = exactDecimal(value);
  const rounded = roundDecimal(decimal, decimal.pointPosition + precision);
  const text = formatF(rounded, precision);
  return value < 0 || Object.is(value, -0) ? `-${text}` : text;
}

/** Go `fmt.Sprintf("%.<precision>g", value)`. */
export function formatGoG(value: number, precision: number): string {
  assertFinite(value);
  let prec = precision === 0 ? 1 : precision;
  const digs = roundDecimal(exactDecimal(value), prec);
  const nd = digs.digits.length;
  let exponentPrecision = prec;
  if (exponentPrecision > nd && nd >= digs.pointPosition) exponentPrecision = nd;
  const exponent = digs.pointPosition - 1;
  let text: string;
  if (exponent < -4 || exponent >= exponentPrecision) {
    if (prec > nd) prec = nd;
    text = formatE(digs, Math.max(prec - 1, 0));
  } else {
    if (prec > digs.pointPosition) prec = nd;
    text = formatF(digs, Math.max(prec - digs.pointPosition, 0));
  }
  return value < 0 || Object.is(value, -0) ? `-${text}` : text;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] as const;

function scaleToUnit(size: number, base: number, units: readonly string[]): [number, string] {
  let i = 0;
  let scaled = size;
  while (scaled >= base && i < units.length - 1) {
    scaled = scaled / base;
    i++;
  }
  return [scaled, units[i] ?? ''];
}

/** go-units BytesSize: base 1024, `%.4g` + KiB/MiB/GiB… (MEM USAGE / LIMIT). */
export function bytesSize(size: number): string {
  const [scaled, unit] = scaleToUnit(size, 1024, BINARY_UNITS);
  return formatGoG(scaled, 4) + unit;
}

/** go-units HumanSizeWithPrecision: base 1000, `%.<precision>g` + kB/MB/GB… (NET I/O, BLOCK I/O). */
export function humanSizeWithPrecision(size: number, precision: number): string {
  const [scaled, unit] = scaleToUnit(size, 1000, DECIMAL_UNITS);
  return formatGoG(scaled, precision) + unit;
}

/** docker/cli formatPercentage: `%.2f%%`. */
export function formatPercentage(value: number): string {
  return `${formatGoFixed(value, 2)}%`;
}
