import { PERMISSION_NAMES } from '@tuike/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../api/src/lib/errors';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  summary?: string;
  tags?: string[];
  responses?: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
  'x-permission'?: unknown;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
}

async function openApi(): Promise<Document> {
  const res = await h.request('/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as Document;
}

function operations(doc: Document): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method, path, op })),
  );
}

/** Every `$ref` in the document, wherever it sits. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function resolvePointer(doc: Document, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    current = (current as Record<string, unknown> | undefined)?.[key];
  }
  return current;
}

describe('GET /docs', () => {
  it('serves the reference page as HTML under the strict CSP', async () => {
    const res = await h.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    const html = await res.text();
    expect(html).toContain("fetch('/openapi.json'");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//i);
  });

  it('has an anchor for every error code, with its status', async () => {
    const html = await (await h.request('/docs')).text();
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect(html).toContain(`id="error-${code}" data-status="${status}"`);
    }
  });

  it('lists every permission of the catalogue', async () => {
    const html = await (await h.request('/docs')).text();
    for (const name of PERMISSION_NAMES) expect(html).toContain(`data-permission="${name}"`);
  });

  it('is where the type of a problem points', async () => {
    const res = await h.request('/v1/no-such-route');
    const problem = (await res.json()) as { type: string; code: string };
    expect(problem.type).toBe('/docs#error-not_found');
    const html = await (await h.request('/docs')).text();
    expect(html).toContain(`id="${problem.type.split('#')[1]}"`);
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document whose references all resolve', async () => {
    const doc = await openApi();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\//);
    for (const ref of refsIn(doc)) expect(resolvePointer(doc, ref), ref).toBeDefined();
  });

  it('gives every operation a summary, one tag, responses and x-permission', async () => {
    const doc = await openApi();
    const allowed = new Set<unknown>(['public', null, ...PERMISSION_NAMES]);
    for (const { method, path, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.summary?.trim(), where).toBeTruthy();
      expect(op.tags, where).toHaveLength(1);
      expect(Object.keys(op.responses ?? {}).length, where).toBeGreaterThan(0);
      expect(op, where).toHaveProperty('x-permission');
      expect(allowed.has(op['x-permission']), `${where}: ${String(op['x-permission'])}`).toBe(true);
    }
  });

  it('declares every path parameter of every operation', async () => {
    const doc = await openApi();
    for (const { method, path, op } of operations(doc)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort(), `${method.toUpperCase()} ${path}`).toEqual(inPath.sort());
    }
  });
});
