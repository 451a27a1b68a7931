import { useEffect, useState } from 'preact/hooks';
import { call, enc } from '../api.ts';

interface HourCount { start: number; optOuts: number; replies: number }
interface Latency { count: number; p50: number | null; p99: number | null }
interface Overview { from: number; to: number; hours: HourCount[]; latency: { inboundToBlacklisted: Latency; inboundToConfirmation: Latency } }

const hourLabel = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const millis = (v: number | null) => (v === null ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`);

/** Grouped bars, one group an hour; the same numbers are in the table under it. */
function HourChart({ hours }: { hours: HourCount[] }) {
  const max = Math.max(1, ...hours.flatMap((h) => [h.optOuts, h.replies]));
  const w = 960, h = 220, pad = 28, group = (w - pad) / hours.length, bar = Math.max(2, group / 2 - 3);
  const y = (v: number) => h - pad - ((h - 2 * pad) * v) / max;
  return (
    <svg class="chart" viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby="chart-title">
      <title id="chart-title">Opt-outs and replies per hour, last 24 hours (highest: {max})</title>
      <line x1={pad} y1={h - pad} x2={w} y2={h - pad} class="axis" />
      <text x={2} y={y(max) + 4} class="tick">{max}</text>
      <text x={2} y={h - pad + 4} class="tick">0</text>
      {hours.map((c, i) => {
        const x = pad + i * group;
        return (
          <g key={c.start}>
            <rect x={x + 2} y={y(c.optOuts)} width={bar} height={h - pad - y(c.optOuts)} class="optouts"><title>{hourLabel(c.start)}: {c.optOuts} opt-outs</title></rect>
            <rect x={x + 2 + bar} y={y(c.replies)} width={bar} height={h - pad - y(c.replies)} class="replies"><title>{hourLabel(c.start)}: {c.replies} replies</title></rect>
            {i % 3 === 0 && <text x={x + 2} y={h - 8} class="tick">{hourLabel(c.start)}</text>}
          </g>
        );
      })}
    </svg>
  );
}

export function OverviewPage({ project }: { project: string }) {
  const [data, setData] = useState<Overview | null>(null);
  const [problem, setProblem] = useState('');
  const load = () => call<Overview>('GET', `/v1/projects/${enc(project)}/overview`).then((a) => { setData(a.body); setProblem(''); }, (e: Error) => setProblem(e.message));
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, [project]);
  if (problem) return <p role="alert" class="error">{problem}</p>;
  if (!data) return <p role="status">Loading the overview of {project}…</p>;
  const total = (k: 'optOuts' | 'replies') => data.hours.reduce((n, h) => n + h[k], 0);
  const { inboundToBlacklisted: b, inboundToConfirmation: c } = data.latency;
  return (
    <div>
      <h1>Overview <small>{project}</small></h1>
      <div class="stats">
        <section class="card stat"><h2>Opt-outs, 24 h</h2><p class="big" id="total-optouts">{total('optOuts')}</p></section>
        <section class="card stat"><h2>Replies sent, 24 h</h2><p class="big" id="total-replies">{total('replies')}</p></section>
        <section class="card stat"><h2>Inbound to blacklisted</h2><p class="big" id="latency-blacklisted">p50 {millis(b.p50)} · p99 {millis(b.p99)}</p><p class="meta">{b.count} opt-outs with a confirmation</p></section>
        <section class="card stat"><h2>Inbound to confirmation</h2><p class="big" id="latency-confirmation">p50 {millis(c.p50)} · p99 {millis(c.p99)}</p><p class="meta">{c.count} confirmations accepted by Sinch</p></section>
      </div>
      <section class="card">
        <h2>Per hour <span class="legend"><span class="key optouts" /> opt-outs <span class="key replies" /> replies</span></h2>
        <HourChart hours={data.hours} />
        <details>
          <summary>As a table</summary>
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">hour</th><th scope="col">opt-outs</th><th scope="col">replies</th></tr></thead>
              <tbody>{data.hours.map((h) => <tr key={h.start}><td>{hourLabel(h.start)}</td><td>{h.optOuts}</td><td>{h.replies}</td></tr>)}</tbody>
            </table>
          </div>
        </details>
        <p class="meta">Measured from the inbound record (just before ingress answers 2xx) to the transaction that blacklists the phone, and to Sinch accepting the opt-out confirmation. Refreshes every 10 s.</p>
      </section>
    </div>
  );
}
