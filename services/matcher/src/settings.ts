import { compiledSettings, validateSettings, type CompiledSettings, type SmsSettings } from '@optline/core';

/** An `SmsSettings` record of the settings topic as avsc reads it. */
export interface SmsSettingsRecord {
  project: string;
  version: number;
  trackIncoming: boolean;
  optOutEnabled: boolean;
  keywords: string[];
  optInKeywords: string[];
  consentCategories: string[];
  dedicatedNumbers: string[];
  updatedAt: number;
}

export interface SettingsRejection {
  project: string;
  version: number;
  errors: Array<{ field: string; rule: string; message: string }>;
}

/**
 * Every project's settings, compiled, and the dedicated number -> project routing. Records are
 * validated again with the core's rules (the topic may be written by other tools): a record
 * that breaks one is rejected whole and the project keeps its previous settings. A number
 * claimed by a second project stays with the project that claimed it first in topic order.
 */
export class SettingsView {
  private readonly projects = new Map<string, CompiledSettings>();
  private readonly owners = new Map<string, string>();

  /** Applies one record of the topic (null: the project's settings were deleted). */
  apply(project: string, record: SmsSettingsRecord | null): SettingsRejection | null {
    if (record === null) {
      this.replace(project, null);
      return null;
    }
    const { version, updatedAt, ...document } = record;
    const result = validateSettings(project, document, { ownerOfNumber: (n) => this.owners.get(n) });
    if (!result.ok) return { project, version, errors: result.errors.map(({ field, rule, message }) => ({ field, rule, message })) };
    this.replace(project, Object.freeze({ ...result.settings, version, updatedAt }));
    return null;
  }

  private replace(project: string, settings: SmsSettings | null): void {
    for (const number of this.projects.get(project)?.settings.dedicatedNumbers ?? []) {
      if (this.owners.get(number) === project) this.owners.delete(number);
    }
    if (settings === null) {
      this.projects.delete(project);
      return;
    }
    this.projects.set(project, compiledSettings(settings));
    for (const number of settings.dedicatedNumbers) this.owners.set(number, project);
  }

  /** The project owning a canonical dedicated number, if any. */
  projectOf(number: string): string | undefined {
    return this.owners.get(number);
  }

  settingsOf(project: string): CompiledSettings | undefined {
    return this.projects.get(project);
  }

  get size(): number {
    return this.projects.size;
  }
}
