// The settings table's contents, kept free of Kafka so the rules of applying records are
// unit-tested on their own.

import type { SettingsView, SmsSettings } from '@optline/core';

/** Versions kept for `version()`: far more than writes in flight at once. */
const RECENT_VERSIONS = 4096;

export class SettingsState implements SettingsView {
  private readonly byProject = new Map<string, SmsSettings>();
  /**
   * The last versions applied, by `<project> <version>`: a PUT answers with the version it
   * stored, though a later one may have been read by the time it looks.
   */
  private readonly recent = new Map<string, SmsSettings>();
  /**
   * Per dedicated number, the projects whose current settings list it, in the order they
   * claimed it. Validation keeps a number to one project, but two API instances validating at
   * the same moment can both store it; then the first claim in log order owns it, which every
   * reader of the topic agrees on.
   */
  private readonly claims = new Map<string, string[]>();

  /**
   * Applies a record of the settings topic (null: the project's settings were deleted).
   * Returns false when it was ignored: a version older than the one held comes from reading
   * the log again after a consumer-group rejoin, and must not roll the table back.
   */
  apply(project: string, settings: SmsSettings | null): boolean {
    const current = this.byProject.get(project);
    if (settings !== null) this.remember(settings);
    if (settings !== null && current !== undefined && settings.version < current.version) return false;
    const numbers = new Set(settings?.dedicatedNumbers ?? []);
    for (const number of current?.dedicatedNumbers ?? []) {
      if (!numbers.has(number)) this.release(number, project);
    }
    for (const number of numbers) this.claim(number, project);
    if (settings === null) this.byProject.delete(project);
    else this.byProject.set(project, settings);
    return true;
  }

  /** The settings of `project` at `version`, if it was applied lately. */
  version(project: string, version: number): SmsSettings | undefined {
    return this.recent.get(`${project} ${version}`);
  }

  private remember(settings: SmsSettings): void {
    const key = `${settings.project} ${settings.version}`;
    this.recent.delete(key);
    this.recent.set(key, settings);
    if (this.recent.size > RECENT_VERSIONS) this.recent.delete(this.recent.keys().next().value!);
  }

  get(project: string): SmsSettings | undefined {
    return this.byProject.get(project);
  }

  ownerOfNumber(number: string): string | undefined {
    return this.claims.get(number)?.[0];
  }

  /** Every dedicated number with its owner, e.g. for routing inbound messages. */
  owners(): Map<string, string> {
    return new Map([...this.claims].map(([number, projects]) => [number, projects[0]!]));
  }

  /** Every project's current settings. */
  all(): IterableIterator<SmsSettings> {
    return this.byProject.values();
  }

  get size(): number {
    return this.byProject.size;
  }

  private claim(number: string, project: string): void {
    const projects = this.claims.get(number);
    if (projects === undefined) this.claims.set(number, [project]);
    else if (!projects.includes(project)) projects.push(project);
  }

  private release(number: string, project: string): void {
    const projects = this.claims.get(number)?.filter((p) => p !== project) ?? [];
    if (projects.length === 0) this.claims.delete(number);
    else this.claims.set(number, projects);
  }
}
