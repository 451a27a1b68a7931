// What the console's Overview shows, kept free of Kafka: per project, opt-outs and replies per
// hour over the last 24 h, and latency samples with their p50/p99.

export const HOUR_MS = 3_600_000;
export const WINDOW_HOURS = 24;
/** Latency samples kept per project and measure: the newest ones, enough for a stable p99. */
export const MAX_SAMPLES = 10_000;

export type Measure = 'inboundToBlacklisted' | 'inboundToConfirmation';

export interface HourCount {
  /** Start of the hour, epoch milliseconds. */
  start: number;
  optOuts: number;
  replies: number;
}

export interface LatencySummary {
  count: number;
  /** Milliseconds; null without samples. */
  p50: number | null;
  p99: number | null;
}

export interface Overview {
  from: number;
  to: number;
  hours: HourCount[];
  latency: Record<Measure, LatencySummary>;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

interface ProjectActivity {
  optOuts: Map<number, number>;
  replies: Map<number, number>;
  samples: Record<Measure, { at: number; ms: number }[]>;
}

const hourOf = (at: number) => Math.floor(at / HOUR_MS) * HOUR_MS;

export class Activity {
  private readonly projects = new Map<string, ProjectActivity>();

  private of(project: string): ProjectActivity {
    let p = this.projects.get(project);
    if (!p) this.projects.set(project, (p = { optOuts: new Map(), replies: new Map(), samples: { inboundToBlacklisted: [], inboundToConfirmation: [] } }));
    return p;
  }

  optOut(project: string, at: number): void {
    const counts = this.of(project).optOuts;
    counts.set(hourOf(at), (counts.get(hourOf(at)) ?? 0) + 1);
  }

  reply(project: string, at: number): void {
    const counts = this.of(project).replies;
    counts.set(hourOf(at), (counts.get(hourOf(at)) ?? 0) + 1);
  }

  latency(project: string, measure: Measure, at: number, ms: number): void {
    const samples = this.of(project).samples[measure];
    samples.push({ at, ms: Math.max(0, ms) });
    if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
  }

  /** The 24 hours up to the one `now` is in, and the latencies of samples taken in them. */
  overview(project: string, now: number): Overview {
    const last = hourOf(now);
    const from = last - (WINDOW_HOURS - 1) * HOUR_MS;
    const p = this.projects.get(project);
    const hours: HourCount[] = [];
    for (let start = from; start <= last; start += HOUR_MS) {
      hours.push({ start, optOuts: p?.optOuts.get(start) ?? 0, replies: p?.replies.get(start) ?? 0 });
    }
    const summary = (measure: Measure): LatencySummary => {
      const sorted = (p?.samples[measure] ?? []).filter((s) => s.at >= from).map((s) => s.ms).sort((a, b) => a - b);
      return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    this.prune(from);
    return { from, to: last + HOUR_MS, hours, latency: { inboundToBlacklisted: summary('inboundToBlacklisted'), inboundToConfirmation: summary('inboundToConfirmation') } };
  }

  /** Forgets hours before `from`, so memory stays at 24 hours a project. */
  private prune(from: number): void {
    for (const p of this.projects.values()) {
      for (const counts of [p.optOuts, p.replies]) for (const hour of counts.keys()) if (hour < from) counts.delete(hour);
    }
  }
}
