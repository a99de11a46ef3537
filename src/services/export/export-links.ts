import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT, errors } from 'jose';
import type { Viewer } from '../../models/viewer.js';
import { API_ROLES } from '../../models/admin-change.js';
import type { ExportRequestInput } from './export-request.js';

/**
 * Short-lived signed links for downloads: a browser following a link cannot send an Authorization
 * header, so the link carries who asked (name, role, panel limit) and the exact export, signed with
 * EXPORT_LINK_SECRET (HS256) and valid for EXPORT_LINK_TTL. Nothing else can be read with it.
 */
export interface ExportLinks {
  sign(viewer: Viewer, request: ExportRequestInput): Promise<{ token: string; expiresAt: Date }>;
  /** The caller and the export a token stands for, or null (expired, altered, another secret). */
  open(token: string): Promise<{ viewer: Viewer; request: ExportRequestInput } | { refused: string }>;
}

const AUDIENCE = 'energy-monitoring/export';

export function createExportLinks(options: { secret: string | null; ttlMs: number; now?: () => number }): ExportLinks {
  // Without a configured secret each process signs with its own: links work on the process that made them.
  const key = options.secret === null ? randomBytes(32) : new TextEncoder().encode(options.secret);
  const now = options.now ?? Date.now;
  return {
    async sign(viewer, request) {
      const issuedAt = Math.floor(now() / 1000);
      const expiresAt = new Date((issuedAt + Math.max(1, Math.round(options.ttlMs / 1000))) * 1000);
      // The caller's own credential may expire sooner: the link never outlives it.
      const until = viewer.expiresAt !== null && viewer.expiresAt < expiresAt ? viewer.expiresAt : expiresAt;
      const token = await new SignJWT({ role: viewer.role, panels: viewer.panels === null ? null : [...viewer.panels], request })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(viewer.name)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(Math.floor(until.getTime() / 1000))
        .sign(key);
      return { token, expiresAt: until };
    },
    async open(token) {
      try {
        const { payload } = await jwtVerify(token, key, { audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(now()) });
        const role = API_ROLES.find((r) => r === payload.role) ?? null;
        const panels = Array.isArray(payload.panels) ? new Set(payload.panels.map(String)) : null;
        if (role === null || typeof payload.sub !== 'string' || typeof payload.request !== 'object' || payload.request === null) {
          return { refused: 'the link is not an export link' };
        }
        const viewer: Viewer = { name: payload.sub, role, panels, expiresAt: payload.exp === undefined ? null : new Date(payload.exp * 1000) };
        return { viewer, request: payload.request as ExportRequestInput };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { refused: 'the link has expired: ask for a new one' };
        return { refused: 'the link is not valid (altered, or signed by another server: set EXPORT_LINK_SECRET alike on every process)' };
      }
    },
  };
}
