import { useEffect, useState } from 'preact/hooks';
import { call } from './api.ts';

export interface ProjectSummary {
  project: string;
  version: number;
  updatedAt?: number;
  dedicatedNumbers: string[];
}

let list: ProjectSummary[] = [];
const listeners = new Set<(l: ProjectSummary[]) => void>();

async function refresh(): Promise<void> {
  try {
    list = (await call<{ projects: ProjectSummary[] }>('GET', '/v1/projects')).body.projects;
    listeners.forEach((l) => l(list));
  } catch {
    // The picker still takes a typed name; the next refresh tries again.
  }
}

/** The projects with settings, shared by the picker and the settings page (numbers owned elsewhere). */
export function useProjects(): { list: ProjectSummary[]; refresh: () => void } {
  const [current, setCurrent] = useState(list);
  useEffect(() => {
    listeners.add(setCurrent);
    if (list.length === 0) void refresh();
    return () => void listeners.delete(setCurrent);
  }, []);
  return { list: current, refresh: () => void refresh() };
}
