import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Flux syntax and type checking in tests, with the Flux language server that InfluxDB's UI uses
 * (@influxdata/flux-lsp-browser, a WebAssembly build of the Flux parser and semantic analyzer with
 * the standard library's signatures). No InfluxDB can run here; this at least proves every query
 * we send parses, calls functions that exist with parameters they take, and type-checks.
 *
 * The package is built for bundlers (it imports its .wasm as an ES module, which Node cannot do
 * without a flag), so the glue module is copied with that one import replaced and the wasm is
 * instantiated by hand.
 */

interface FluxLspModule {
  Flux: new (script: string) => { is_valid(): boolean; free(): void };
  Lsp: new () => {
    onMessage(handler: (message: string) => void): void;
    send(message: string): Promise<unknown>;
    run(): Promise<unknown>;
  };
  parse(script: string): unknown;
  __setWasm(exports: WebAssembly.Exports): void;
}

let loaded: Promise<FluxLspModule> | undefined;

async function load(): Promise<FluxLspModule> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@influxdata/flux-lsp-browser/package.json'));
  let glue = readFileSync(join(dir, 'flux-lsp-browser_bg.js'), 'utf8');
  const wasmImport = "import * as wasm from './flux-lsp-browser_bg.wasm';";
  if (!glue.includes(wasmImport)) throw new Error('unexpected @influxdata/flux-lsp-browser layout');
  // Top-level reads of wasm.memory would run before the instance exists: do them in the setter.
  const memoryInit = /^(cached\w+) = new (\w+)\(wasm\.memory\.buffer\);$/gm;
  const inits = [...glue.matchAll(memoryInit)].map((m) => `${m[1]} = new ${m[2]}(wasm.memory.buffer);`);
  glue = glue.replace(memoryInit, '');
  glue = glue.replace(wasmImport, `let wasm;\nexport function __setWasm(exports) { wasm = exports; ${inits.join(' ')} }`);
  const tempDir = mkdtempSync(join(tmpdir(), 'flux-lsp-'));
  const file = join(tempDir, 'glue.mjs');
  writeFileSync(file, glue);
  let glueModule: FluxLspModule;
  try {
    glueModule = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as FluxLspModule;
  } finally {
    rmSync(tempDir, { recursive: true, force: true }); // loaded: the copy is no longer needed
  }
  const bytes = readFileSync(join(dir, 'flux-lsp-browser_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, {
    './flux-lsp-browser_bg.js': glueModule as unknown as WebAssembly.ModuleImports,
  });
  glueModule.__setWasm(instance.exports);
  return glueModule;
}

function flux(): Promise<FluxLspModule> {
  loaded ??= load();
  return loaded;
}

interface LanguageServer {
  readonly messages: string[];
  send(method: string, params: unknown, notification?: boolean): Promise<void>;
}

let server: Promise<LanguageServer> | undefined;
let documents = 0;

/** One language server for the whole test file (each instance logs a warning when it starts). */
function languageServer(module: FluxLspModule): Promise<LanguageServer> {
  server ??= (async () => {
    const lsp = new module.Lsp();
    const messages: string[] = [];
    lsp.onMessage((message) => messages.push(message));
    void lsp.run().catch(() => undefined);
    let id = 1;
    const send = async (method: string, params: unknown, notification = false): Promise<void> => {
      const body = JSON.stringify(notification ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id: id++, method, params });
      const reply = await lsp.send(body);
      if (typeof reply === 'string') messages.push(reply);
    };
    await send('initialize', { capabilities: {} });
    await send('initialized', {}, true);
    return { messages, send };
  })();
  return server;
}

/** The Flux AST (JSON) of a script, for checking which literals a query contains. */
export async function parseFlux(script: string): Promise<unknown> {
  return (await flux()).parse(script);
}

/**
 * Diagnostics (syntax and type errors) of a Flux script, empty when it is valid. Uses the language
 * server's publishDiagnostics, which carries the messages that `Flux.is_valid()` only counts.
 */
export async function fluxDiagnostics(script: string): Promise<string[]> {
  const module = await flux();
  const checker = new module.Flux(script);
  let valid: boolean;
  try {
    valid = checker.is_valid();
  } finally {
    checker.free();
  }
  if (valid) return [];
  const server = await languageServer(module);
  const uri = `file:///check-${++documents}/query.flux`; // own folder: one folder is one Flux package
  server.messages.length = 0;
  await server.send('textDocument/didOpen', { textDocument: { uri, languageId: 'flux', version: 1, text: script } }, true);
  const messages = server.messages;
  for (let i = 0; i < 50 && !messages.some((m) => m.includes('publishDiagnostics') && m.includes(uri)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const diagnostics: string[] = [];
  for (const message of messages) {
    const parsed = JSON.parse(message) as { method?: string; params?: { diagnostics?: Array<{ message: string; range: { start: { line: number; character: number } } }> } };
    if (parsed.method !== 'textDocument/publishDiagnostics' || !message.includes(uri)) continue;
    for (const d of parsed.params?.diagnostics ?? []) {
      diagnostics.push(`${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
    }
  }
  return diagnostics.length > 0 ? diagnostics : ['invalid Flux (the checker gave no message)'];
}

/** Every string literal value in a Flux AST, in source order. */
export function stringLiterals(ast: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'StringLiteral' && typeof record.value === 'string') found.push(record.value);
    for (const value of Object.values(record)) walk(value);
  };
  walk(ast);
  return found;
}
