// Prometheus text exposition (format 0.0.4) for counters and gauges with labels: the few metric kinds the
// connectors need, without a client library. Gauges may be computed at scrape time (outbox backlog, lag).
type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  series: Map<string, Series>;
  collect?: () => Promise<Array<{ labels?: Labels; value: number }>>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const keyOf = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function line(name: string, labels: Labels, value: number): string {
  const l = Object.entries(labels);
  const ls = l.length ? `{${l.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}` : '';
  return `${name}${ls} ${Number.isFinite(value) ? value : 'NaN'}`;
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  constructor(private readonly base: Labels = {}) {}

  private family(name: string, help: string, type: Family['type']): Family {
    if (!NAME.test(name)) throw new Error(`metric name ${name} is not valid for Prometheus`);
    let f = this.families.get(name);
    if (!f) {
      f = { name, help, type, series: new Map() };
      this.families.set(name, f);
    } else if (f.type !== type) throw new Error(`metric ${name} is already a ${f.type}`);
    return f;
  }

  /** Adds to a counter (created on first use). */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const f = this.family(name, help, 'counter');
    const k = keyOf(labels);
    const s = f.series.get(k) ?? { labels, value: 0 };
    s.value += by;
    f.series.set(k, s);
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.family(name, help, 'gauge').series.set(keyOf(labels), { labels, value });
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, collect: Family['collect']): void {
    this.family(name, help, 'gauge').collect = collect;
  }

  value(name: string, labels: Labels = {}): number | undefined {
    return this.families.get(name)?.series.get(keyOf(labels))?.value;
  }

  async render(): Promise<string> {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${f.help.replace(/\n/g, ' ')}`, `# TYPE ${f.name} ${f.type}`);
      const rows: Series[] = [...f.series.values()];
      if (f.collect) {
        try {
          for (const r of await f.collect()) rows.push({ labels: r.labels ?? {}, value: r.value });
        } catch {
          // A gauge whose source is down is left out of this scrape rather than failing the whole page.
        }
      }
      for (const s of rows) out.push(line(f.name, { ...this.base, ...s.labels }, s.value));
    }
    return `${out.join('\n')}\n`;
  }
}
