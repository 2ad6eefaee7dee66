// How panels print numbers and name series: values by unit (`1.2 kB`, `4.5%`, `12.3 lines/s`), series names from
// a legend template (`{{service}}`) or the label set. Pure.

export function formatValue(v: number, unit = ''): string {
  if (!Number.isFinite(v)) return String(v);
  switch (unit) {
    case 'percent':
      return `${round(v)}%`;
    case 'percentunit':
      return `${round(v * 100)}%`;
    case 'bytes':
    case 'bytes/s': {
      const suffix = unit === 'bytes/s' ? '/s' : '';
      const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
      let x = Math.abs(v);
      let i = 0;
      while (x >= 1000 && i < units.length - 1) {
        x /= 1000;
        i++;
      }
      return `${v < 0 ? '-' : ''}${round(x)} ${units[i]}${suffix}`;
    }
    case 'ms':
      return Math.abs(v) >= 1000 ? `${round(v / 1000)} s` : `${round(v)} ms`;
    case 's':
      return Math.abs(v) < 1 && v !== 0 ? `${round(v * 1000)} ms` : `${round(v)} s`;
    case 'lines/s':
    case 'reqps':
      return `${short(v)} ${unit === 'reqps' ? 'req/s' : unit}`;
    default:
      return short(v);
  }
}

/** 3 significant digits, no trailing zeros; integers stay whole. */
function round(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return Number(v.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** 1,234 → 1.23K above ten thousand. */
function short(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${round(v / 1e9)}B`;
  if (a >= 1e6) return `${round(v / 1e6)}M`;
  if (a >= 1e4) return `${round(v / 1e3)}K`;
  return round(v);
}

/** The series' name: the legend template with `{{label}}` replaced, else `{a="b", c="d"}`. */
export function seriesName(metric: Record<string, string>, legend?: string): string {
  if (legend) return legend.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? '');
  const keys = Object.keys(metric).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${metric[k]}"`).join(', ')}}` : 'value';
}
