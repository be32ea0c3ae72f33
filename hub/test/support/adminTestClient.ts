/**
 * Test support for the admin API and enrollment tests (not imported by the hub): a small HTTP client
 * against a real running hub, role tokens, a node enrolled the way an agent does it, a checker for
 * responses against the served OpenAPI schemas, and the offline audit verifier run as a CLI.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import type { AdminRole } from '../../src/store/index.ts';
import { openApiDocument } from '../../src/admin/openapi.ts';
import { AdminApi, type AdminReply as Reply, type Json } from '@porten/shared/adminApi';

/** Response bodies are whatever the hub sent; tests look into them freely. */
export type { Reply, Json };

/** The one admin client (@porten/shared/adminApi); tests read its replies, refusals included. */
export type Client = AdminApi;

/** A client of the admin API of the hub at `hubUrl`, sending `Authorization: Bearer <token>` when a token is given. */
export function client(hubUrl: string, token?: string): Client {
  return new AdminApi(hubUrl, token);
}

/** The same client for the node-facing enrollment endpoints (`/v1/nodes/enroll…`), which take no admin token. */
export function enrollmentClient(hubUrl: string): Client {
  return new AdminApi(hubUrl, undefined, '');
}

/** Asserts an OpenAI-shaped error with this status, code and (when given) param. */
export function expectError(reply: Reply, status: number, code: string, param?: string | null): void {
  expect({ status: reply.status, code: reply.body?.error?.code }, JSON.stringify(reply.body)).toEqual({ status, code });
  expect(typeof reply.body.error.message).toBe('string');
  expect(reply.body.error).toHaveProperty('param');
  if (param !== undefined) expect(reply.body.error.param).toBe(param);
}

/** Mints one token per role with the admin client; returns the secrets and ids. */
export async function roleTokens(admin: Client): Promise<Record<AdminRole, { token: string; id: string }>> {
  const out: Partial<Record<AdminRole, { token: string; id: string }>> = {};
  for (const role of ['admin', 'operator', 'auditor'] as const) {
    const r = await admin.post('/tokens', { name: `test-${role}`, role });
    expect(r.status).toBe(201);
    out[role] = { token: r.body.token, id: r.body.id };
  }
  return out as Record<AdminRole, { token: string; id: string }>;
}

/** Starts an enrollment the way an agent does (POST /v1/nodes/enroll). */
export async function startEnrollment(hubUrl: string, name = 'gpu-box-1', inventory: Record<string, unknown> = { cpus: 16, memory_mb: 65536, gpus: [{ name: 'L4', vram_mb: 24576 }] }) {
  const r = await enrollmentClient(hubUrl).post('/v1/nodes/enroll', { name, inventory });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { user_code: string; verification_uri: string; verification_uri_complete: string; poll_token: string; interval: number; expires_in: number };
}

/** A node enrolled, approved by `admin` with the given placement, and its credential collected. */
export async function enrolledNode(hubUrl: string, admin: Client, placement: { org_id: string; region: string; trust_class: string; name?: string }) {
  const e = await startEnrollment(hubUrl);
  const approved = await admin.post(`/enrollments/${e.user_code}/approve`, placement);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const poll = await enrollmentClient(hubUrl).post('/v1/nodes/enroll/poll', { poll_token: e.poll_token });
  expect(poll.status).toBe(200);
  return { node_id: poll.body.node_id as string, credential: poll.body.credential as string, user_code: e.user_code };
}

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const DOC_ID = 'https://porten.invalid/admin-openapi';
ajv.addSchema({ $id: DOC_ID, components: (openApiDocument() as { components: unknown }).components });

/** Asserts `value` matches the named component schema of the served OpenAPI document. */
export function expectSchema(name: string, value: unknown): void {
  const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the OpenAPI document`);
  const ok = validate(value);
  expect(ok, `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`).toBe(true);
}

const VERIFY_EXPORT = join(import.meta.dirname, '../../src/audit/verifyExport.ts');

/** The offline audit verifier as an auditor runs it: a separate Node process reading an export on stdin. */
export function runVerifyExport(input: string, args: string[] = []): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [VERIFY_EXPORT, ...args], { input, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}
