import type { ObjectRef } from '@pothos/core';
import { UserInputError } from '../../services/user-input-error.js';
import { builder, type BuilderTypes } from '../builder.js';

/**
 * Shapes every part of the API shares (issue 23): Relay connections' PageInfo, mutation payloads'
 * user errors, and opaque cursors.
 */

export interface PageInfoShape {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  readonly hasPreviousPage?: boolean;
  readonly startCursor?: string | null;
}

export const PageInfo = builder.objectRef<PageInfoShape>('PageInfo').implement({
  description: 'Where a page of a connection begins and ends (Relay cursor connections; pages go forward with `first` and `after`).',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` for the next page; null on an empty page.' }),
    hasPreviousPage: t.boolean({ description: 'True when the page was asked for with `after` (items come before it).', resolve: (p) => p.hasPreviousPage ?? false }),
    startCursor: t.string({ nullable: true, description: "The first edge's cursor; null on an empty page.", resolve: (p) => p.startCursor ?? null }),
  }),
});

export interface EdgeShape<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface ConnectionShape<T> {
  readonly nodes: readonly T[];
  readonly edges: readonly EdgeShape<T>[];
  readonly pageInfo: PageInfoShape;
  /** How many items the whole list holds (every page), when that is cheap to know; else null. */
  readonly totalCount: number | null;
}

/**
 * A Relay connection type `<name>Connection` with its `<name>Edge`, for nodes of type `node`: edges
 * with cursors, `nodes` (the same nodes without cursors, for clients that need no cursor per item),
 * pageInfo and totalCount.
 */
export function connectionType<T>(
  name: string,
  node: ObjectRef<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>, T>,
  description: string,
  totalCount: string | null,
): ObjectRef<PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>, ConnectionShape<T>> {
  const edge = builder.objectRef<EdgeShape<T>>(`${name}Edge`).implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque: pass as `after` to continue after this item.' }),
      node: t.expose('node', { type: node }),
    }),
  });
  return builder.objectRef<ConnectionShape<T>>(`${name}Connection`).implement({
    description,
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (c) => c.edges }),
      nodes: t.field({ type: [node], description: 'The nodes of `edges`, in the same order.', resolve: (c) => c.nodes }),
      pageInfo: t.field({ type: PageInfo, resolve: (c) => c.pageInfo }),
      ...(totalCount === null ? {} : { totalCount: t.int({ nullable: true, description: totalCount, resolve: (c) => c.totalCount }) }),
    }),
  });
}

/** `first` checked against its range (LIMIT_OUT_OF_RANGE otherwise); `fallback` when omitted. */
export function pageSize(first: number | null | undefined, fallback: number, maximum: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > maximum) throw new UserInputError('LIMIT_OUT_OF_RANGE', `first must be 0-${maximum}`, { maximum });
  return n;
}

/**
 * One page of a list already in its order: the items after the one `after` names (by `follows`,
 * which tells whether an item comes after the cursor's position), at most `first`.
 */
export function pageOf<T, P>(
  items: readonly T[],
  options: { first: number; after: P | null; follows: (item: T, position: P) => boolean; cursor: (item: T) => string },
): ConnectionShape<T> {
  const { first, after } = options;
  const start = after === null ? 0 : items.findIndex((item) => options.follows(item, after));
  const from = start === -1 ? items.length : start;
  const nodes = items.slice(from, from + first);
  const last = nodes.at(-1);
  const pageInfo = {
    hasNextPage: from + first < items.length,
    endCursor: last === undefined ? null : options.cursor(last),
    hasPreviousPage: after !== null,
    startCursor: nodes.length === 0 ? null : options.cursor(nodes[0]!),
  };
  return new PageConnection(nodes, options.cursor, pageInfo, items.length);
}

/**
 * A page as a connection: its nodes as they are, and edges made only when a client asks for them.
 * A chart asks for `nodes`: an edge per window of a 720-window chart, and an array of their nodes
 * mapped back out, were garbage on every request.
 */
export class PageConnection<T> implements ConnectionShape<T> {
  #edges: readonly EdgeShape<T>[] | null = null;

  constructor(
    readonly nodes: readonly T[],
    private readonly cursorOf: (item: T) => string,
    readonly pageInfo: PageInfoShape,
    readonly totalCount: number | null,
  ) {}

  get edges(): readonly EdgeShape<T>[] {
    this.#edges ??= this.nodes.map((node) => new LazyEdge(node, this.cursorOf));
    return this.#edges;
  }
}

/** An edge whose cursor is made when asked for: a page of 1,000 panel cards asks for at most two. */
class LazyEdge<T> implements EdgeShape<T> {
  #cursor: string | null = null;

  constructor(
    readonly node: T,
    private readonly cursorOf: (item: T) => string,
  ) {}

  get cursor(): string {
    this.#cursor ??= this.cursorOf(this.node);
    return this.#cursor;
  }
}

/**
 * An opaque cursor for one list (`list` names it, so a cursor of another list is refused): the
 * position's key, base64url.
 */
export function encodeListCursor(list: string, key: string): string {
  return Buffer.from(`${list}|${key}`, 'utf8').toString('base64url');
}

/** The key of a cursor of `list`; INVALID_CURSOR when it is not one. */
export function decodeListCursor(list: string, cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(`${list}|`) || text.length > 400) throw new UserInputError('INVALID_CURSOR', 'after: not a cursor of this list');
  return text.slice(list.length + 1);
}

export const USER_ERROR_CODES = [
  'UNKNOWN_ALARM',
  'UNKNOWN_PANEL',
  'UNKNOWN_CHANNEL',
  'INVALID_VALUE',
  'NOT_ALLOWED',
  'INVALID_PANEL_ID',
  'INVALID_CHANGE',
  'INVALID_TARIFF_PLAN',
  'TARIFF_DATE_TOO_EARLY',
  'INVALID_API_KEY_ID',
  'UNKNOWN_API_KEY',
] as const;
export type UserErrorCodeValue = (typeof USER_ERROR_CODES)[number];

export const UserErrorCode = builder.enumType('UserErrorCode', {
  description:
    'Why a mutation refused part of its input. UNKNOWN_ALARM: no such alarm among those the caller sees; UNKNOWN_PANEL: no such panel among the ' +
    "caller's; UNKNOWN_CHANNEL: no such notification channel; INVALID_VALUE: a value out of its range or form; NOT_ALLOWED: the caller may not change it; " +
    'the others mean what the error reasons of the same name mean (docs/api.md).',
  values: USER_ERROR_CODES,
});

export interface UserErrorShape {
  readonly field: readonly string[];
  readonly code: UserErrorCodeValue;
  readonly message: string;
}

export const UserError = builder.objectRef<UserErrorShape>('UserError').implement({
  description: 'A refusal a program can branch on (`code`) and a person can read (`message`), naming the input field.',
  fields: (t) => ({
    field: t.exposeStringList('field', { description: 'The path of the input field, e.g. ["input", "id"].' }),
    code: t.field({ type: UserErrorCode, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});

/**
 * A refusal a service threw (UserInputError) as a payload's user error on `field`; anything else
 * (a store failure) is rethrown, as it is no fault of the input.
 */
export function userErrorOf(error: unknown, field: readonly string[]): UserErrorShape {
  if (!(error instanceof UserInputError)) throw error;
  const code = (USER_ERROR_CODES as readonly string[]).includes(error.reason) ? (error.reason as UserErrorCodeValue) : 'INVALID_VALUE';
  return { field, code, message: error.message };
}

/** An opaque cursor for a position in a list ordered by (time desc, id desc). */
export function encodeCursor(timeMs: number, id: string): string {
  return Buffer.from(`${timeMs}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { timeMs: number; id: string } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(-?\d+):([0-9A-Za-z:_-]{1,120})$/.exec(text);
  return match ? { timeMs: Number(match[1]), id: match[2]! } : null;
}
