import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apiRouter } from '../../src/api/router.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'admin-token-0123456789abcdef';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

interface Operation {
  parameters?: { $ref?: string; name?: string; in?: string }[];
  responses: Record<string, unknown>;
}
interface Spec {
  openapi: string;
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> } & Record<string, unknown>;
}

const spec = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as Spec;

/** "get /subscribers/{phone}" for every operation the description documents. */
function documentedRoutes(): string[] {
  return Object.entries(spec.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m} ${path}`),
    )
    .sort();
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ ADMIN_TOKEN: TOKEN });
});
afterAll(() => server?.close());

/** The same for every route the API's router holds, `/api` prefix removed and `:name` written `{name}`. */
function routedRoutes(): string[] {
  const routes = new Set<string>();
  for (const layer of apiRouter(server.context).stack) {
    if (typeof layer.path !== 'string' || !layer.path.startsWith('/api/'))
      throw new Error(`route outside /api: ${String(layer.path)}`);
    const path = layer.path.slice('/api'.length).replace(/:(\w+)/g, '{$1}');
    // @koa/router adds HEAD to every GET; the description documents the GET.
    for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method.toLowerCase()} ${path}`);
  }
  return [...routes].sort();
}

function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
}

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
}

describe('docs/openapi.yaml', () => {
  it('is OpenAPI 3.1 with bearer authentication required everywhere', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    expect(spec.components.securitySchemes.bearerAuth).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(spec.security).toEqual([{ bearerAuth: [] }]);
  });

  it('documents every route of the API router', () => {
    const documented = new Set(documentedRoutes());
    expect(routedRoutes().filter((r) => !documented.has(r))).toEqual([]);
  });

  it('documents no route the API router does not have', () => {
    const routed = new Set(routedRoutes());
    expect(documentedRoutes().filter((r) => !routed.has(r))).toEqual([]);
  });

  it('has every $ref pointing at something that exists', () => {
    const missing = [...new Set(refsIn(spec))].filter((ref) => resolve(ref) === undefined);
    expect(missing).toEqual([]);
  });

  it('declares each path parameter of each route', () => {
    for (const [path, item] of Object.entries(spec.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(item)) {
        const params = (op.parameters ?? []).map((p) => (p.$ref ? resolve(p.$ref) : p) as { name: string; in: string });
        expect(
          params
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .sort(),
          `${method} ${path}`,
        ).toEqual(inPath);
      }
    }
  });

  // Each documented operation, asked of the running server: it must be routed (not the catch-all 404), and the
  // answer's status, with and without the token, must be one the description lists for it.
  it.each(documentedRoutes())('answers %s with a documented status', async (route) => {
    const [method, path] = route.split(' ') as [string, string];
    const url = `${server.url}/api${path
      .replace('{phone}', encodeURIComponent('+14155550123'))
      .replace('{callSid}', `CA${'0'.repeat(32)}`)}`;
    const init: RequestInit = { method: method.toUpperCase() };
    if (method === 'post') {
      init.headers = { 'content-type': 'application/json' };
      init.body = '{}';
    }
    const documented = Object.keys(spec.paths[path]?.[method]?.responses ?? {});
    const withToken = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${TOKEN}` } });
    const body = await withToken.text();
    expect(body).not.toContain('no such API route');
    expect(documented, `${route} answered ${withToken.status}: ${body.slice(0, 200)}`).toContain(
      String(withToken.status),
    );
    const withoutToken = await fetch(url, init);
    await withoutToken.body?.cancel();
    expect(documented).toContain(String(withoutToken.status));
  });
});
