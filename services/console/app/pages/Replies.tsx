import { characterCount, MAX_REPLY_LENGTH, smsSegments, type ReplyKind, type SmsReply } from '@optline/core';
import { ChipInput } from '../components/ChipInput.tsx';
import { SaveBar } from '../components/SaveBar.tsx';
import { useSettings } from '../use-settings.ts';

const KINDS: { kind: ReplyKind; title: string; list: 'keywords' | 'optInKeywords' | 'helpKeywords'; when: string }[] = [
  { kind: 'optOut', title: 'Opt-out confirmation', list: 'keywords', when: 'sent once when a reply blacklists the phone (not again within 24 h)' },
  { kind: 'optIn', title: 'Opt-in confirmation', list: 'optInKeywords', when: 'sent when an opt-in keyword clears the blacklist' },
  { kind: 'help', title: 'Help reply', list: 'helpKeywords', when: 'sent for a help keyword; the blacklist does not change' },
];

/** "GSM-7 · 104 / 160 · 1 segment": what the text costs, live, as the operator types. */
export function SegmentCounter({ id, text }: { id: string; text: string }) {
  const s = smsSegments(text);
  const chars = characterCount(text);
  const unit = s.encoding === 'GSM-7' ? 'septets' : 'UCS-2 units';
  return (
    <p class={`counter${chars > MAX_REPLY_LENGTH ? ' over' : ''}`} id={id} aria-live="polite">
      {s.encoding} · {s.units} {unit}, {s.segments} segment{s.segments === 1 ? '' : 's'} ({s.remaining} left in the last of {s.perSegment})
      {' · '}{chars} / {MAX_REPLY_LENGTH} characters
      {s.nonGsm.length > 0 && <> · not in GSM-7: <span class="nongsm">{s.nonGsm.slice(0, 8).join(' ')}</span></>}
    </p>
  );
}

/** The project's automatic replies: per kind a default and variants for some of its keywords. */
export function RepliesPage({ project }: { project: string }) {
  const editor = useSettings(project);
  const { load, doc, issues } = editor;
  if (load.state === 'loading') return <p role="status">Loading the replies of {project}…</p>;
  if (load.state === 'failed') return <p role="alert" class="error">Could not load the settings: {load.message}</p>;
  const replies = doc.replies;
  const problems = (i: number) => (issues.get('replies') ?? []).filter((x) => x.index === i);
  const update = (i: number, change: Partial<SmsReply>) => editor.set('replies', replies.map((r, j) => (j === i ? { ...r, ...change } : r)));
  return (
    <form class="card replies" onSubmit={(e) => { e.preventDefault(); void editor.save(); }} noValidate aria-labelledby="replies-title">
      <h1 id="replies-title">Replies <small>{project}</small></h1>
      <p class="meta">Texts are sent through Sinch from the dedicated number the customer wrote to. A variant answers the keywords it names (e.g. a French confirmation for “arret”); the default answers the rest.</p>
      {(issues.get('replies') ?? []).filter((x) => x.index === null).map((x, i) => <p key={i} class="error" role="alert">{x.message}</p>)}
      {KINDS.map(({ kind, title, list, when }) => (
        <fieldset key={kind} class="reply-kind">
          <legend>{title}</legend>
          <p class="hint">{when}.</p>
          {replies.map((reply, i) => {
            if (reply.kind !== kind) return null;
            const name = reply.keywords.length ? `${title} for ${reply.keywords.join(', ')}` : `${title} (default)`;
            const id = `reply-${i}`;
            return (
              <div key={i} class={`reply${problems(i).length ? ' invalid' : ''}`}>
                <div class="field">
                  <label for={id}>{name}</label>
                  <textarea id={id} value={reply.text} aria-describedby={`${id}-counter ${id}-problems`} aria-invalid={problems(i).length > 0}
                    onInput={(e) => update(i, { text: (e.target as HTMLTextAreaElement).value })} />
                  <SegmentCounter id={`${id}-counter`} text={reply.text} />
                </div>
                <ChipInput id={`${id}-keywords`} label={`Keywords of ${name.toLowerCase()}`} values={reply.keywords} onChange={(v) => update(i, { keywords: v })}
                  counter={(v) => (v.length ? `answers ${v.length} of the ${doc[list].length} ${title.toLowerCase().split(' ')[0]} keywords` : 'none: this is the default')}
                  issues={[]} />
                <ul class="problems" id={`${id}-problems`} role="alert">{problems(i).map((x, k) => <li key={k}>{x.message}</li>)}</ul>
                <button type="button" onClick={() => editor.set('replies', replies.filter((_, j) => j !== i))}>Remove {name.toLowerCase()}</button>
              </div>
            );
          })}
          <button type="button" onClick={() => editor.set('replies', [...replies, { kind, text: '', keywords: [] }])}>Add {kind === "help" ? "a" : "an"} {title.toLowerCase()}</button>
        </fieldset>
      ))}
      <SaveBar editor={editor} />
    </form>
  );
}
