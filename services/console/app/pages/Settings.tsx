import { ChipInput } from '../components/ChipInput.tsx';
import { SaveBar } from '../components/SaveBar.tsx';
import { TryReply } from '../components/TryReply.tsx';
import { categoryCounter, duplicateNote, keywordCounter, numberCounter, type SettingsDoc } from '../settings-form.ts';
import { useSettings } from '../use-settings.ts';

export function SettingsPage({ project }: { project: string }) {
  const editor = useSettings(project);
  const { load, doc, set, issues } = editor;
  if (load.state === 'loading') return <p role="status">Loading the settings of {project}…</p>;
  if (load.state === 'failed') return <p role="alert" class="error">Could not load the settings: {load.message}</p>;
  const stored = load.stored;
  const save = (e: Event) => {
    e.preventDefault();
    void editor.save();
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
        <SaveBar editor={editor} />
      </form>
      <TryReply project={project} doc={doc} />
    </div>
  );
}
