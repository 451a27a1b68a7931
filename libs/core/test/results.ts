// Unwrapping validateSettings results in tests: the settings, or [field, rule] per error.
import type { SettingsResult, SmsSettings } from '@optline/core';

export function settingsOf(result: SettingsResult): SmsSettings {
  if (!result.ok) throw new Error(`expected valid settings: ${JSON.stringify(result.errors)}`);
  return result.settings;
}

export function errorsOf(result: SettingsResult) {
  if (result.ok) throw new Error('expected invalid settings');
  return result.errors.map((e) => [e.field, e.rule]);
}
