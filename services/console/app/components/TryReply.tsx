import { useMemo, useState } from 'preact/hooks';
import { compilePossibleOptOuts, compileSettings, normalize, type KeywordHit } from '@optline/core';
import { previewSettings, type SettingsDoc } from '../settings-form.ts';

const EFFECT: Record<KeywordHit['kind'], string> = {
  opt_out: 'the phone is blacklisted at once and a consent reject is tracked',
  opt_in: 'the blacklist entry is cleared and a consent accept is tracked',
  help: 'the help reply is sent; the blacklist does not change',
};
const KIND: Record<KeywordHit['kind'], string> = { opt_out: 'opt-out', opt_in: 'opt-in', help: 'help' };

/** Why a message matches no keyword, in the matcher's own terms. */
function whyNot(text: string, doc: SettingsDoc): string {
  const all = [...(doc.optOutEnabled ? doc.keywords : []), ...doc.optInKeywords, ...doc.helpKeywords];
  if (all.length === 0) return 'No keyword is configured.';
  const inside = all.map((k) => ({ k, at: text.indexOf(normalize(k)) })).filter((x) => x.at > 0).sort((a, b) => a.at - b.at)[0];
  if (inside) return `No keyword matches: “${inside.k}” appears at character ${inside.at + 1} of the normalised text, but only a keyword at its start counts.`;
  return `No keyword matches: the normalised text starts with none of the ${all.length} keywords.`;
}

/**
 * "Try a reply": what the matcher would do with a message under the settings on the page (not
 * yet saved), through the core's own normalize and compiled matcher bundled into the console.
 */
export function TryReply({ project, doc }: { project: string; doc: SettingsDoc }) {
  const [text, setText] = useState('');
  const compiled = useMemo(() => compileSettings(previewSettings(project, doc)), [project, doc]);
  const ifEnabled = useMemo(() => compileSettings(previewSettings(project, { ...doc, optOutEnabled: true })), [project, doc]);
  const detector = useMemo(() => compilePossibleOptOuts(previewSettings(project, doc).keywords), [project, doc]);
  const normalised = normalize(text);
  const hit = compiled.match(text);
  const disabledHit = hit === null && !doc.optOutEnabled ? ifEnabled.match(text) : null;
  let verdict: string;
  if (hit) verdict = `Matches ${KIND[hit.kind]} keyword “${hit.keyword}”: ${EFFECT[hit.kind]}.`;
  else if (disabledHit) verdict = `Would match opt-out keyword “${disabledHit.keyword}”, but “Use opt-out keywords” is off.`;
  else {
    verdict = whyNot(normalised, doc);
    const possible = text.trim() === '' ? null : detector.detect(text);
    if (possible?.possible) {
      const policy = { flag: 'it waits in the review queue and blocks nothing', blacklist: 'it is treated as an opt-out', off: 'it is ignored' }[doc.possibleOptOuts];
      verdict += ` It reads as a possible opt-out (${possible.reason}); with “Possible opt-outs” set to ${doc.possibleOptOuts}, ${policy}.`;
    }
  }
  return (
    <section class="card try">
      <h2>Try a reply</h2>
      <p class="hint">What the matcher does with a message under the settings on this page, saved or not.</p>
      <div class="field">
        <label for="try-reply">Try a reply</label>
        <input id="try-reply" type="text" value={text} placeholder="e.g. Arrêt, svp" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      </div>
      {text !== '' && (
        <dl class="try-result" aria-live="polite">
          <dt>Normalised</dt>
          <dd><output id="try-normalised">{normalised}</output></dd>
          <dt>Result</dt>
          <dd><output id="try-verdict" class={hit ? 'match' : 'no-match'}>{verdict}</output></dd>
        </dl>
      )}
    </section>
  );
}
