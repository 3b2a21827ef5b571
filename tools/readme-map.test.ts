/** The README's repository map names every top-level file and folder a fresh clone has. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** .gitignore's patterns as top-level name matchers (the Dagger runner's copy has no .git to ask). */
function ignoredBy(gitignore: string): (name: string) => boolean {
  const patterns = gitignore
    .split('\n')
    .map((line) => line.trim().replace(/\/$/, ''))
    .filter((line) => line && !line.startsWith('#'))
    .map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  return (name) => name === '.git' || patterns.some((pattern) => pattern.test(name));
}

it("names every top-level entry of the repository in the README's map", () => {
  const ignored = ignoredBy(read('.gitignore'));
  const entries = readdirSync(repoRoot).filter((name) => !ignored(name));
  const map = /## Repository map\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';
  const firstCells = map
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| path') && !line.startsWith('|---'))
    .map((line) => line.split(' | ')[0] ?? '');
  const named = firstCells.flatMap((cell) =>
    [...cell.matchAll(/[`[]([^`\]]+?)\/?[`\]]/g)].map((m) => m[1] ?? ''),
  );
  expect(entries.length).toBeGreaterThan(20);
  const missing = entries.filter(
    (entry) => !named.some((name) => name === entry || name.startsWith(`${entry}/`)),
  );
  expect(missing).toEqual([]);
});
