import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One Markdown file of the documentation, by its path from the repository root. */
export interface MarkdownFile {
  readonly path: string;
  readonly text: string;
}

/** README.md and every docs/*.md: the documentation the tests in this folder keep true. */
export function documentation(): MarkdownFile[] {
  const docs = readdirSync(`${ROOT}docs`)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs].map((path) => ({ path, text: readFileSync(`${ROOT}${path}`, 'utf8') }));
}

/** A fenced code block: its info string (```graphql → "graphql"), its text and the line it opens on. */
export interface Fence {
  readonly info: string;
  readonly body: string;
  readonly line: number;
  /** The line of its closing marker (the file's last line when it is never closed). */
  readonly end: number;
  /** The fence right after this one when only blank lines lie between (an example's variables). */
  next: Fence | null;
}

/** The fenced code blocks of a Markdown text (``` or ~~~, possibly indented as in a list item). */
export function fences(text: string): Fence[] {
  const lines = text.split('\n');
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, marker] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(marker!)) {
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
      j++;
    }
    found.push({ info: open[3]!.trim(), body: body.join('\n'), line: i + 1, end: Math.min(j + 1, lines.length), next: null });
    i = j;
  }
  for (let k = 0; k + 1 < found.length; k++) {
    const between = lines.slice(found[k]!.end, found[k + 1]!.line - 1);
    if (between.every((line) => line.trim() === '')) found[k]!.next = found[k + 1]!;
  }
  return found;
}

/** The text outside fenced code blocks, each fence's lines blanked (so line numbers still hold). */
export function prose(text: string): string {
  const lines = text.split('\n');
  for (const fence of fences(text)) {
    for (let i = fence.line - 1; i < fence.end; i++) lines[i] = '';
  }
  return lines.join('\n');
}

/** Something found on a line of a file: a link target, a code span. */
export interface Found {
  readonly value: string;
  readonly line: number;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Inline code spans (`…`) of the prose, outside fences. */
export function codeSpans(text: string): Found[] {
  const plain = prose(text);
  return [...plain.matchAll(/(`+)([^`]+?)\1/g)].map((m) => ({ value: m[2]!.trim(), line: lineOf(plain, m.index) }));
}

/** Link and image targets of the prose: [text](target), ![alt](target), <img src>, <a href>. */
export function linkTargets(text: string): Found[] {
  // Code spans may hold brackets and parentheses that are not links.
  const plain = prose(text).replace(/(`+)[^`]+?\1/g, (span) => ' '.repeat(span.length));
  const markdown = [...plain.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const html = [...plain.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)];
  return [...markdown, ...html].map((m) => ({ value: m[1]!, line: lineOf(plain, m.index) }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a file's headings give, numbered as GitHub numbers repeated headings (x, x-1, …). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(text).split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}
