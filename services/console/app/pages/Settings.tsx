import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, call, enc, type FieldError } from '../api.ts';
import { ChipInput } from '../components/ChipInput.tsx';
import { TryReply } from '../components/TryReply.tsx';
import {
  categoryCounter, docOf, duplicateNote, issuesByField, keywordCounter, liveErrors, numberCounter,
  type SettingsDoc, type Stored,
} from '../settings-form.ts';
import { useProjects } from '../projects.ts';

type Load = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; stored: Stored | null };

/** Stale: the stored version moved on since the form was loaded (412 on If-Match). */
interface Stale {
  had: number;
}

export function SettingsPage({ project }: { project: string }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [doc, setDoc] = useState<SettingsDoc>(docOf({}));
  const [refused, setRefused] = useState<{ message: string; fields: FieldError[] } | null>(null);
  const [stale, setStale] = useState<Stale | null>(null);
  const [notice, setNotice] = useState('');
  const [saving, setSaving] = useState(false);
  const projects = useProjects();

  const reload = async () => {
    setLoad({ state: 'loading' });
    setRefused(null);
    setStale(null);
    try {
      const { body } = await call<Stored>('GET', `/v1/projects/${enc(project)}/sms-settings`);
      setDoc(docOf(body));
      setLoad({ state: 'ready', stored: body });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'unknown_project') {
        try {
          const { body } = await call<SettingsDoc>('GET', '/v1/sms-settings/defaults');
          setDoc(docOf(body));
          setLoad({ state: 'ready', stored: null });
        } catch (e) {
          setLoad({ state: 'failed', message: (e as Error).message });
        }
      } else setLoad({ state: 'failed', message: (error as Error).message });
    }
  };
  useEffect(() => {
    setNotice('');
    void reload();
  }, [project]);

  const owners = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of projects.list) if (p.project !== project) for (const n of p.dedicatedNumbers) m.set(n, p.project);
    return m;
  }, [projects.list, project]);
  const live = useMemo(() => liveErrors(project, doc, owners), [project, doc, owners]);
  // The API's refusal is shown until the document changes; then the live rules take over.
  const issues = issuesByField(refused ? refused.fields : live);
  const set = <K extends keyof SettingsDoc>(key: K, value: SettingsDoc[K]) => {
    setRefused(null);
    setNotice('');
    setDoc({ ...doc, [key]: value });
  };

  if (load.state === 'loading') return <p role="status">Loading the settings of {project}…</p>;
  if (load.state === 'failed') return <p role="alert" class="error">Could not load the settings: {load.message}</p>;
  const stored = load.stored;

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setNotice('');
    try {
      const headers: Record<string, string> = stored ? { 'if-match': String(stored.version) } : {};
      const { body } = await call<Stored>('PUT', `/v1/projects/${enc(project)}/sms-settings`, { body: doc, headers });
      setLoad({ state: 'ready', stored: body });
      setDoc(docOf(body));
      setRefused(null);
      setNotice(`Saved: version ${body.version}.`);
      projects.refresh();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) setStale({ had: stored?.version ?? 0 });
      else if (error instanceof ApiError) setRefused({ message: error.message, fields: error.fields });
      else setRefused({ message: (error as Error).message, fields: [] });
    } finally {
      setSaving(false);
    }
  };

  const problems = (field: string) => issues.get(field) ?? [];
  const lineProblems = (field: string) => (
    <ul class="problems" id={`${field}-problems`} role="alert">{problems(field).map((x, i) => <li key={i}>{x.message}</li>)}</ul>
  );
  return (
    <div class="settings-page">
      <form class="card" onSubmit={save} aria-labelledby="settings-title" noValidate>
        <h1 id="settings-title">SMS settings <small>{project}</small></h1>
        <p class="meta">{stored ? `Stored version ${stored.version}${stored.updatedAt ? `, ${new Date(stored.updatedAt).toLocaleString()}` : ''}.` : 'New project: the suggested settings are filled in; nothing is stored until you save.'}</p>
        <div class="field check">
          <input id="trackIncoming" type="checkbox" checked={doc.trackIncoming} onChange={(e) => set('trackIncoming', (e.target as HTMLInputElement).checked)} />
          <label for="trackIncoming">Track incoming messages</label>
        </div>
        <div class="field check">
          <input id="optOutEnabled" type="checkbox" checked={doc.optOutEnabled} onChange={(e) => set('optOutEnabled', (e.target as HTMLInputElement).checked)} />
          <label for="optOutEnabled">Use opt-out keywords</label>
        </div>
        <ChipInput id="keywords" label="Opt-out keywords" values={doc.keywords} onChange={(v) => set('keywords', v)} counter={keywordCounter} issues={problems('keywords')} note={duplicateNote}
          hint="A reply that starts with one of these (case, accents and spaces ignored) blacklists the phone." />
        <ChipInput id="optInKeywords" label="Opt-in keywords" values={doc.optInKeywords} onChange={(v) => set('optInKeywords', v)} counter={keywordCounter} issues={problems('optInKeywords')} note={duplicateNote} />
        <ChipInput id="helpKeywords" label="Help keywords" values={doc.helpKeywords} onChange={(v) => set('helpKeywords', v)} counter={keywordCounter} issues={problems('helpKeywords')} note={duplicateNote} />
        <ChipInput id="consentCategories" label="Consent categories" values={doc.consentCategories} onChange={(v) => set('consentCategories', v)} counter={categoryCounter} issues={problems('consentCategories')}
          hint="An opt-out is tracked as a consent reject in each of these." />
        <ChipInput id="dedicatedNumbers" label="Dedicated numbers" values={doc.dedicatedNumbers} onChange={(v) => set('dedicatedNumbers', v)} counter={numberCounter} issues={problems('dedicatedNumbers')}
          hint="The numbers customers reply to: +421 905 123 456, 00421…, or a short code." />
        <div class="field">
          <label for="possibleOptOuts">Possible opt-outs</label>
          <select id="possibleOptOuts" value={doc.possibleOptOuts} aria-describedby="possibleOptOuts-problems" onChange={(e) => set('possibleOptOuts', (e.target as HTMLSelectElement).value as SettingsDoc['possibleOptOuts'])}>
            <option value="flag">Flag for review</option>
            <option value="blacklist">Blacklist as an opt-out</option>
            <option value="off">Ignore</option>
          </select>
          {lineProblems('possibleOptOuts')}
        </div>
        {problems('replies').length > 0 && <div class="field"><p>Replies (see the Replies page)</p>{lineProblems('replies')}</div>}
        {problems('document').length + problems('project').length > 0 && <div>{lineProblems('document')}{lineProblems('project')}</div>}
        {refused && <p class="error" role="alert" id="save-refused">The API refused the settings: {refused.message}</p>}
        {stale && (
          <div class="stale" role="alert" id="save-stale">
            <p>These settings were changed by someone else since you loaded version {stale.had}; your save was refused so that nothing is lost.</p>
            <button type="button" onClick={() => void reload()}>Reload the stored settings</button>
          </div>
        )}
        {notice && <p class="notice" role="status">{notice}</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>Save</button>
          {live.length > 0 && !refused && <span class="meta">{live.length} problem{live.length === 1 ? '' : 's'} to fix before the API accepts this</span>}
        </div>
      </form>
      <TryReply project={project} doc={doc} />
    </div>
  );
}
