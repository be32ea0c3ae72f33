import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { adminRoutes, createAdminRouter } from './adminRouter.ts';
import { client } from '../../test/support/adminTestClient.ts';
import { openApiDocument } from './openapi.ts';

type Doc = { paths: Record<string, Record<string, { 'x-porten-roles': string[]; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };

/** What the Express router really registered, as "METHOD /openapi/{path}" — read from the router, not from our own route list. */
function registeredOperations(router: ReturnType<typeof createAdminRouter>): string[] {
  const out: string[] = [];
  for (const layer of (router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }).stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) {
      if (method !== '_all') out.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return out.sort();
}

describe('OpenAPI document of the admin API', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('describes exactly the routes the router registers (no drift either way)', () => {
    const doc = openApiDocument() as Doc;
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const registered = registeredOperations(createAdminRouter(hub.hub.deps));
    expect(registered.length).toBeGreaterThan(15);
    expect(documented).toEqual(registered);
  });

  it('names the same roles as the router for every operation', () => {
    const doc = openApiDocument() as Doc;
    for (const r of adminRoutes(hub.hub.deps)) {
      const op = doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method];
      expect(op?.['x-porten-roles'], `${r.method} ${r.path}`).toEqual([...r.roles]);
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('is OpenAPI 3.1 whose schemas compile as JSON Schema 2020-12 and whose refs all resolve', () => {
    const doc = openApiDocument() as Doc & { openapi: string };
    expect(doc.openapi).toBe('3.1.0');
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'https://porten.invalid/doc', components: doc.components, paths: doc.paths });
    for (const name of Object.keys(doc.components.schemas)) {
      expect(ajv.getSchema(`https://porten.invalid/doc#/components/schemas/${name}`), name).toBeTypeOf('function');
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = /#\/components\/schemas\/(\w+)/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name], ref).toBeTruthy();
    }
  });

  it('is served at /admin/v1/openapi.json without a token', async () => {
    const r = await client(hub.url).get('/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});
