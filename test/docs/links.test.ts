import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, codeSpans, documentation, fences, linkTargets, ROOT } from './markdown.js';

const files = documentation();
const textOf = new Map(files.map((file) => [file.path, file.text]));

/** Paths git ignores (made by a run: build output, screenshots, bench results): not in a clone. */
const ignored = readFileSync(`${ROOT}.gitignore`, 'utf8')
  .split('\n')
  .map((line) => line.trim().replace(/^\//, ''))
  .filter((line) => line && !line.startsWith('#'));
const isIgnored = (path: string) => ignored.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry));

/** Whether a repository path exists; `*` in its last segment matches any characters. */
function exists(path: string): boolean {
  if (!path.includes('*')) return existsSync(join(ROOT, path));
  const dir = dirname(path);
  const pattern = new RegExp(`^${path.slice(dir.length + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return existsSync(join(ROOT, dir)) && readdirSync(join(ROOT, dir)).some((name) => pattern.test(name));
}

describe('links in README.md and docs/*.md', () => {
  it('finds the documentation and its links (the parser works)', () => {
    expect(files.map((file) => file.path)).toContain('docs/configuration.md');
    expect(linkTargets(textOf.get('README.md')!).map((link) => link.value)).toContain('docs/configuration.md');
    expect(anchors(textOf.get('docs/access-control.md')!)).toContain('metrics-graphiql-and-introspection');
  });

  for (const file of files) {
    it(`${file.path}: every relative link and image leads to a file, and every #anchor to a heading`, () => {
      const broken: string[] = [];
      for (const link of linkTargets(file.text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link.value)) continue; // http:, https:, mailto:
        const [target = '', anchor] = link.value.split('#');
        const path = target === '' ? file.path : normalize(join(dirname(file.path), decodeURIComponent(target)));
        if (path.startsWith('..')) {
          broken.push(`line ${link.line}: ${link.value} leaves the repository`);
        } else if (!existsSync(join(ROOT, path))) {
          broken.push(`line ${link.line}: ${link.value} (no file ${path})`);
        } else if (anchor !== undefined) {
          const text = textOf.get(path) ?? (statSync(join(ROOT, path)).isFile() && path.endsWith('.md') ? readFileSync(join(ROOT, path), 'utf8') : null);
          if (text === null) broken.push(`line ${link.line}: ${link.value} (an anchor into ${path}, which is not Markdown)`);
          else if (!anchors(text).has(anchor)) broken.push(`line ${link.line}: ${link.value} (no heading "#${anchor}" in ${path})`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});

describe('paths and names in README.md and docs/*.md', () => {
  // A repository path in backticks: `src/…`, `test/…`, `web/…`, `deploy/…`, `scripts/…`, `operations/…`, `docs/…`, `.ci/…`.
  const REPO_PATH = /^(?:src|test|web|deploy|scripts|operations|docs|\.ci)\/[\w.*/-]*$/;

  for (const file of files) {
    it(`${file.path}: every path in backticks exists`, () => {
      const missing = codeSpans(file.text)
        .filter((span) => REPO_PATH.test(span.value) && !isIgnored(span.value))
        .filter((span) => !exists(span.value))
        .map((span) => `line ${span.line}: ${span.value}`);
      expect(missing).toEqual([]);
    });
  }

  it("README.md's folder tree names only folders and files that exist", () => {
    const readme = textOf.get('README.md')!;
    const tree = fences(readme).find((fence) => fence.body.startsWith('src/'));
    expect(tree, 'the tree of "What is where"').toBeDefined();
    const parents: string[] = [];
    const named: string[] = [];
    for (const line of tree!.body.split('\n')) {
      const indent = line.length - line.trimStart().length;
      // Deeply indented lines continue the description of the entry above.
      if (!line.trim() || indent >= 20) continue;
      const level = indent / 2;
      const names = line.trim().split(/\s{2,}/)[0]!.split(' ');
      const paths = names.map((name) => [...parents.slice(0, level), name].join(''));
      named.push(...paths);
      if (names.length === 1 && names[0]!.endsWith('/')) parents[level] = names[0]!;
    }
    expect(named).toContain('src/transports/');
    expect(named).toContain('test/docs/');
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('the check can fail: a path that is gone is caught', () => {
    const spans = codeSpans('The web client sends `src/operations.ts` and `web/src/types.ts`.');
    expect(spans.filter((span) => REPO_PATH.test(span.value) && !exists(span.value)).map((span) => span.value)).toEqual(['src/operations.ts']);
  });
});
