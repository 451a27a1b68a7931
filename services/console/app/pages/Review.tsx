import { useEffect, useState } from 'preact/hooks';
import { call, enc } from '../api.ts';

interface PossibleOptOut {
  id: string;
  phone: string;
  message_id: string;
  received_at: number;
  body: string;
  reason: string;
  rule: string;
  language?: string | null;
  evidence: string;
  keyword?: string | null;
}

const ACTOR = { 'x-optline-actor': 'console' };

/** Replies that read as a request to stop but start with no keyword: confirm (blocks the phone) or dismiss. */
export function ReviewPage({ project }: { project: string }) {
  const [items, setItems] = useState<PossibleOptOut[] | null>(null);
  const [problem, setProblem] = useState('');
  const [notice, setNotice] = useState('');
  const load = () => call<{ items: PossibleOptOut[] }>('GET', `/v1/projects/${enc(project)}/possible-opt-outs`)
    .then((a) => { setItems(a.body.items); setProblem(''); }, (e: Error) => setProblem(e.message));
  useEffect(() => void load(), [project]);
  const decide = async (item: PossibleOptOut, decision: 'confirm' | 'dismiss') => {
    setNotice('');
    try {
      const { body } = await call<{ blacklisted: boolean }>('POST', `/v1/projects/${enc(project)}/possible-opt-outs/${enc(item.id)}`, { body: { decision }, headers: ACTOR });
      setNotice(decision === 'confirm' ? `${item.phone} ${body.blacklisted ? 'is blacklisted' : 'will be blacklisted in a moment'}.` : `Dismissed the reply of ${item.phone}.`);
      await load();
    } catch (error) {
      setProblem((error as Error).message);
    }
  };
  return (
    <div>
      <h1>Review queue <small>{project}</small></h1>
      {problem && <p role="alert" class="error">{problem}</p>}
      {notice && <p role="status" class="notice">{notice}</p>}
      {items === null ? <p role="status">Loading…</p> : items.length === 0 ? (
        <div class="card"><p id="review-empty">Nothing to review: no reply without a keyword read as a request to stop.</p></div>
      ) : items.map((item) => (
        <section key={item.id} class="card review-item" aria-label={`Possible opt-out from ${item.phone}`}>
          <h2>{item.phone} <small>{new Date(item.received_at).toLocaleString()}</small></h2>
          <blockquote class="body">{item.body}</blockquote>
          <p class="meta">{item.reason}{item.language ? ` (${item.language})` : ''} · evidence “{item.evidence}” · message <code>{item.message_id}</code></p>
          <div class="actions">
            <button type="button" class="primary" onClick={() => void decide(item, 'confirm')}>Confirm opt-out of {item.phone}</button>
            <button type="button" onClick={() => void decide(item, 'dismiss')}>Dismiss {item.phone}</button>
          </div>
        </section>
      ))}
    </div>
  );
}
