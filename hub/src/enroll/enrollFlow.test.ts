import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, enrollmentClient, expectError, expectSchema, roleTokens, startEnrollment, type Client } from '../../test/support/adminTestClient.ts';
import { nodes } from '../store/index.ts';

describe('node enrollment, end to end (real hub, real PostgreSQL)', () => {
  let hub: TestHub;
  let operator: Client;
  let agent: Client;
  let orgId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    const admin = client(hub.url, hub.adminToken);
    operator = client(hub.url, (await roleTokens(admin)).operator.token);
    agent = enrollmentClient(hub.url);
    orgId = (await operator.post('/orgs', { name: 'Clinic' })).body.id;
  });
  afterAll(async () => {
    await hub?.close();
  });

  const poll = (poll_token: string) => agent.post('/v1/nodes/enroll/poll', { poll_token });

  it('enroll → pending → approve with org/region/trust → credential once → node listed as the operator placed it', async () => {
    const inventory = { cpus: 32, memory_mb: 131072, gpus: [{ name: 'A100', vram_mb: 81920 }], region: 'us-east' };
    const e = await startEnrollment(hub.url, 'gpu-01', inventory);
    expect(e.user_code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(e.verification_uri).toBe(`${hub.config.publicUrl}/nodes/approve`);
    expect(e.verification_uri_complete).toBe(`${hub.config.publicUrl}/nodes/approve?code=${e.user_code}`);
    expect(e.poll_token).toMatch(/^porten-poll-/);
    expect(e).toMatchObject({ interval: 2, expires_in: hub.config.enrollmentTtlS });

    expectError(await poll(e.poll_token), 428, 'authorization_pending');

    const pending = await operator.get('/enrollments?status=pending');
    expect(pending.status).toBe(200);
    const listed = pending.body.data.find((x: { user_code: string }) => x.user_code === e.user_code);
    expect(listed).toMatchObject({ name: 'gpu-01', inventory, status: 'pending', expired: false });
    expect(listed.age_s).toBeGreaterThanOrEqual(0);
    expectSchema('Enrollment', listed);

    // Operators may type the code in any case, without the dash.
    const typed = e.user_code.toLowerCase().replace('-', '');
    const approved = await operator.post(`/enrollments/${typed}/approve`, { org_id: orgId, region: 'eu-north', trust_class: 'trusted', name: 'clinic-gpu-01' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expectSchema('ApproveResult', approved.body);
    expect(approved.body).toMatchObject({ user_code: e.user_code, org_id: orgId, region: 'eu-north', trust_class: 'trusted', name: 'clinic-gpu-01' });
    const nodeId: string = approved.body.node_id;
    expect((await operator.get('/enrollments?status=pending')).body.data.map((x: { user_code: string }) => x.user_code)).not.toContain(e.user_code);
    expectError(await operator.post(`/enrollments/${e.user_code}/approve`, { org_id: orgId, region: 'eu', trust_class: 'community' }), 409, 'conflict');

    const first = await poll(e.poll_token);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ node_id: nodeId, credential: expect.stringMatching(/^porten-node-/) });
    const { rows } = await hub.hub.deps.pool.query(`select encode(credential_hash, 'hex') as h from nodes where id = $1`, [nodeId]);
    expect(rows[0].h).toBe(createHash('sha256').update(first.body.credential).digest('hex'));
    expect(await nodes.findApprovedNodeByCredential(hub.hub.deps.pool, first.body.credential)).toMatchObject({ id: nodeId });

    expectError(await poll(e.poll_token), 410, 'enrollment_expired');

    const node = (await operator.get('/nodes')).body.data.find((n: { id: string }) => n.id === nodeId);
    // The node said "us-east" in its inventory; the operator's "eu-north" is what counts.
    expect(node).toMatchObject({ org_id: orgId, name: 'clinic-gpu-01', region: 'eu-north', trust_class: 'trusted', status: 'approved', inventory, online: false });
    expect(node.approved_by).toContain('test-operator');
    expect((await operator.get(`/enrollments/${e.user_code}`)).body).toMatchObject({ status: 'completed', node_id: nodeId });
  });

  it('deny → the agent\'s poll gets 403 enrollment_denied; the code cannot be approved afterwards', async () => {
    const e = await startEnrollment(hub.url, 'stranger');
    const denied = await operator.post(`/enrollments/${e.user_code}/deny`);
    expect(denied.status).toBe(200);
    expect(denied.body).toEqual({ user_code: e.user_code, status: 'denied' });
    expectError(await poll(e.poll_token), 403, 'enrollment_denied');
    expectError(await operator.post(`/enrollments/${e.user_code}/approve`, { org_id: orgId, region: 'eu', trust_class: 'community' }), 409, 'conflict');
    expectError(await operator.post(`/enrollments/${e.user_code}/deny`), 409, 'conflict');
  });

  it('an expired enrollment → poll 410, approve 410, gone from the pending list', async () => {
    const e = await startEnrollment(hub.url, 'slowpoke');
    await hub.hub.deps.pool.query(`update enrollments set expires_at = now() - interval '1 second' where user_code = $1`, [e.user_code]);
    expectError(await poll(e.poll_token), 410, 'enrollment_expired');
    expectError(await operator.post(`/enrollments/${e.user_code}/approve`, { org_id: orgId, region: 'eu', trust_class: 'community' }), 410, 'enrollment_expired');
    expect((await operator.get('/enrollments?status=pending')).body.data.map((x: { user_code: string }) => x.user_code)).not.toContain(e.user_code);
    expect((await operator.get(`/enrollments/${e.user_code}`)).body).toMatchObject({ status: 'pending', expired: true });
  });

  it('approval is validated: org must exist, region a slug, trust class known; unknown codes are 404', async () => {
    const e = await startEnrollment(hub.url, 'careful');
    const approve = (body: unknown) => operator.post(`/enrollments/${e.user_code}/approve`, body);
    expectError(await approve({ org_id: '00000000-0000-4000-8000-000000000000', region: 'eu', trust_class: 'trusted' }), 400, 'invalid_request_error', 'org_id');
    expectError(await approve({ org_id: orgId, region: 'Europe/Paris', trust_class: 'trusted' }), 400, 'invalid_request_error', 'region');
    expectError(await approve({ org_id: orgId, region: 'eu' }), 400, 'invalid_request_error', 'trust_class');
    expectError(await approve({ org_id: orgId, region: 'eu', trust_class: 'trusted', status: 'approved' }), 400, 'invalid_request_error', 'status');
    expectError(await operator.post('/enrollments/AAAA-AAAA/approve', { org_id: orgId, region: 'eu', trust_class: 'trusted' }), 404, 'not_found');
    expectError(await operator.get('/enrollments?status=maybe'), 400, 'invalid_request_error', 'status');
    expectError(await poll(e.poll_token), 428, 'authorization_pending');
  });
});
