import type { SettingsEditor } from '../use-settings.ts';

/** The end of a settings form: the API's refusal, the stale-version offer, the notice and Save. */
export function SaveBar({ editor }: { editor: SettingsEditor }) {
  const { refused, staleFrom, notice, saving, live } = editor;
  return (
    <>
      {refused && <p class="error" role="alert" id="save-refused">The API refused the settings: {refused.message}</p>}
      {staleFrom !== null && (
        <div class="stale" role="alert" id="save-stale">
          <p>These settings were changed elsewhere since you loaded version {staleFrom}; your save was refused so that neither change is lost silently.</p>
          <button type="button" onClick={() => void editor.reload()}>Reload the stored settings</button>
        </div>
      )}
      {notice && <p class="notice" role="status">{notice}</p>}
      <div class="actions">
        <button type="submit" class="primary" disabled={saving}>Save</button>
        {live.length > 0 && !refused && <span class="meta">{live.length} problem{live.length === 1 ? '' : 's'} to fix before the API accepts this</span>}
      </div>
    </>
  );
}
