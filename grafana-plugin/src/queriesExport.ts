import { queries, variables } from './queries';

/** The content of queries.json: every page expression and every variable's source selector, sorted by name. */
export function exportedQueries(): Record<string, string> {
  const all: Record<string, string> = { ...queries };
  for (const [name, v] of Object.entries(variables)) {
    all[`variable.${name}`] = v.selector;
  }
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
}
