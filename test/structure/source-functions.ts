import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One function in the sources: where it starts, what a reader calls it, and how many lines it spans. */
export interface SourceFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

/** Every `.ts` file under `dir`, as paths relative to `root`, sorted so reports are stable. */
export function sourceFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(relative(root, path));
    }
  };
  walk(join(root, dir));
  return found.sort();
}

/**
 * Every function in one file (declarations, function expressions, arrow functions, methods,
 * constructors, accessors), nested ones included. A function's lines are its whole span, the
 * functions inside it included: a reader of the outer function reads those too.
 */
export function functionsOf(root: string, file: string): SourceFunction[] {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: SourceFunction[] = [];
  const visit = (node: ts.Node, owner: string): void => {
    let inner = owner;
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const name = nameOf(node, source);
      inner = owner === '' ? name : `${owner} > ${name}`;
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, line: start + 1, name: inner, lines: end - start + 1 });
    } else if (ts.isClassLike(node) && node.name !== undefined) {
      inner = owner === '' ? node.name.text : `${owner} > ${node.name.text}`;
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(source, '');
  return found;
}

/** The name a reader would look for: the declared name, or the variable, property or argument position holding it. */
function nameOf(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name !== undefined) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) {
    // A chained call (`z.object({…}).superRefine(…)`) is named by its last link, not the whole chain.
    const callee = ts.isPropertyAccessExpression(parent.expression)
      ? `.${parent.expression.name.text}`
      : parent.expression.getText(source);
    return `(callback of ${callee})`;
  }
  return '(anonymous)';
}

/** Every function under `dir` longer than `maxLines`, longest first. */
export function longFunctions(root: string, dir: string, maxLines: number): SourceFunction[] {
  return sourceFiles(root, dir)
    .flatMap((file) => functionsOf(root, file))
    .filter((fn) => fn.lines > maxLines)
    .sort((a, b) => b.lines - a.lines);
}
