/**
 * Java's `Double.toString` and `Float.toString` (JDK 19+, shortest digits that round-trip), which is how
 * Jackson writes the doubles and floats of a normalized Avro schema: `1.0`, `0.001`, `1.0E7`, `1.5E-4`.
 */
export function javaDouble(x: number): string {
  return format(x, shortestDigits(x));
}

export function javaFloat(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return format(f, shortestDigits(f));
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return format(f, shortestDigits(Number(s)));
  }
  return format(f, shortestDigits(f));
}

interface Digits {
  digits: string;
  exponent: number;
}

/** The shortest decimal digits of `x` and the exponent of the first one (`x = 0.d1d2... * 10^(exp+1)`). */
function shortestDigits(x: number): Digits {
  const [mantissa = '0', exp = '0'] = Math.abs(x).toExponential().split('e');
  return { digits: mantissa.replace('.', ''), exponent: Number(exp) };
}

function format(x: number, { digits, exponent }: Digits): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent >= 0) {
      const int = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const frac = digits.slice(exponent + 1) || '0';
      return `${sign}${int}.${frac}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const frac = digits.slice(1) || '0';
  return `${sign}${digits[0]}.${frac}E${exponent}`;
}
