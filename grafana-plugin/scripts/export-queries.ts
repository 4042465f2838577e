/**
 * Writes every PromQL expression of the app's pages to queries.json (name → expression), the file
 * the Go tests parse with promql/parser and run in e2e. Variable sources are included as
 * `variable.<name>` (the selector whose label values fill the variable).
 *
 * The same file goes to pkg/plugin/queries.json, which the Go backend embeds: its "needs
 * attention" rules run the Overview's own expressions.
 *
 * Usage: npm run export-queries   (a jest test and a Go test fail when either copy is stale)
 */
import fs from 'fs';
import path from 'path';
import { exportedQueries } from '../src/queriesExport';

const json = JSON.stringify(exportedQueries(), null, 2) + '\n';
for (const out of [
  path.resolve(__dirname, '..', 'queries.json'),
  path.resolve(__dirname, '..', 'pkg', 'plugin', 'queries.json'),
]) {
  fs.writeFileSync(out, json);
  console.log(`wrote ${Object.keys(exportedQueries()).length} expressions to ${path.relative(process.cwd(), out)}`);
}
