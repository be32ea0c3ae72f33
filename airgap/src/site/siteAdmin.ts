/**
 * Site administration steps through the admin API that the installer, the quick start and the site
 * tests share: the org a site's keys belong to, approving a node's enrollment, waiting for a node.
 */
import type { AdminClient, Json } from './adminClient.ts';
import { pollUntil } from './pollUntil.ts';

export async function ensureOrg(admin: AdminClient, name: string): Promise<Json> {
  const orgs: Json[] = (await admin.get('/orgs')).data;
  return orgs.find((o) => o.name === name) ?? (await admin.post('/orgs', { name }));
}

/**
 * The node called `name`, approved into `org` with the given region and trust class: an enrolled
 * node of that name is returned as it is; else the newest pending enrollment of that name (the agent
 * printed its code) is approved. Waits for the enrollment to appear.
 */
export async function approveNodeByName(admin: AdminClient, name: string, placement: { org_id: string; region: string; trust_class: string }, timeoutMs: number): Promise<string> {
  return pollUntil(
    `an enrollment request from the node ${name}`,
    async () => {
      const nodes: Json[] = (await admin.get('/nodes')).data;
      const enrolled = nodes.find((n) => n.name === name && n.revoked_at == null);
      if (enrolled) return enrolled.id as string;
      const pending: Json[] = (await admin.get('/enrollments?status=pending')).data;
      const mine = pending.filter((e) => e.name === name).sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
      if (!mine) return undefined;
      return (await admin.post(`/enrollments/${mine.user_code}/approve`, placement)).node_id as string;
    },
    timeoutMs,
    'check the node container\'s log (it prints its enrollment code)',
  );
}

/**
 * The node an agent container runs as, found the way an operator finds it: in the agent's log. The
 * newest relevant line decides — `connected to the hub` names the node (done); an enrollment code
 * is approved into `placement` if still pending, then the agent is awaited. Reading the code from
 * the log (rather than picking a pending enrollment by name) never approves a stale request left by
 * an earlier container.
 */
export async function approveFromAgentLog(admin: AdminClient, agentLog: () => Promise<string>, placement: { org_id: string; region: string; trust_class: string }, timeoutMs: number): Promise<string> {
  return pollUntil(
    'the node enrolling and connecting to the hub',
    async () => {
      const lines = (await agentLog()).split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const connected = /"msg":"connected to the hub".*"node":"([0-9a-f-]{36})"/.exec(lines[i]!);
        if (connected) return connected[1];
        const code = /enters the code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(lines[i]!)?.[1];
        if (code) {
          const enrollment = await admin.call('GET', `/enrollments/${code}`, undefined, [404]);
          if (enrollment.status === 200 && enrollment.body.status === 'pending') await admin.post(`/enrollments/${code}/approve`, placement);
          return undefined;
        }
      }
      return undefined;
    },
    timeoutMs,
    'see the agent container\'s log',
    1000,
  );
}

export async function waitNodeOnline(admin: AdminClient, nodeId: string, online: boolean, timeoutMs: number): Promise<void> {
  await pollUntil(
    `node ${nodeId} ${online ? 'connecting to' : 'leaving'} the hub`,
    async () => ((await admin.get(`/nodes/${nodeId}`)).online === online ? true : undefined),
    timeoutMs,
    'check the node container\'s log',
  );
}
