// The site's clock: real time plus an offset that tests and integrators can move forward, read in the site's
// time zone, because Bitrix writes local wall-clock times without an offset (CommerceML, "dd.mm.yyyy hh:mi:ss").

export interface WallClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

export class Clock {
  private offsetMs = 0;
  private readonly fmt: Intl.DateTimeFormat;

  constructor(readonly timeZone = 'Europe/Moscow') {
    this.fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Whole seconds, the resolution of PHP's time() and of Bitrix's DATE_UPDATE comparisons. */
  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`the clock only moves forward; got ${ms} ms`);
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  wall(ms: number): WallClock {
    const p: Record<string, string> = {};
    for (const part of this.fmt.formatToParts(new Date(ms))) p[part.type] = part.value;
    return { year: p.year ?? '', month: p.month ?? '', day: p.day ?? '', hour: p.hour ?? '', minute: p.minute ?? '', second: p.second ?? '' };
  }

  /** `+03:00`: the zone's offset at that instant. */
  offsetOf(ms: number): string {
    const w = this.wall(ms);
    const asUtc = Date.UTC(+w.year, +w.month - 1, +w.day, +w.hour, +w.minute, +w.second);
    const minutes = Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
    const sign = minutes < 0 ? '-' : '+';
    const a = Math.abs(minutes);
    return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  }

  /** `2024-02-28T17:35:06+03:00`, PHP's date('c') and the REST date format. */
  iso(ms: number): string {
    return `${this.ymd(ms)}T${this.hms(ms)}${this.offsetOf(ms)}`;
  }

  ymd(ms: number): string {
    const w = this.wall(ms);
    return `${w.year}-${w.month}-${w.day}`;
  }

  hms(ms: number): string {
    const w = this.wall(ms);
    return `${w.hour}:${w.minute}:${w.second}`;
  }

  /** `11.02.2021 18:45:21`, the site's FULL date format (ru). */
  ru(ms: number): string {
    const w = this.wall(ms);
    return `${w.day}.${w.month}.${w.year} ${w.hour}:${w.minute}:${w.second}`;
  }
}
