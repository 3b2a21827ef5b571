/** The README's repository map names every top-level file and folder a fresh clone has. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');

it("names every top-level entry of the repository in the README's map", () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.split('/')[0] ?? '');
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const map = /## Repository map\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  const firstCells = map
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| path') && !line.startsWith('|---'))
    .map((line) => line.split(' | ')[0] ?? '');
  const named = new Set(
    firstCells.flatMap((cell) => [...cell.matchAll(/[`[]([^`\]]+?)\/?[`\]]/g)].map((m) => m[1])),
  );
  const missing = [...new Set(tracked)].filter(
    (entry) => ![...named].some((name) => name === entry || name?.startsWith(`${entry}/`)),
  );
  expect(missing).toEqual([]);
});
