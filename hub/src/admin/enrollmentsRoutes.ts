import type { HubDeps } from '../deps.ts';
import { enrollments, type Enrollment } from '../store/index.ts';
import { adminOf, type AdminIdentity } from './adminAuth.ts';
import { pathParam, type AdminRoute } from './adminRoute.ts';
import { approveBody } from './requestBodies.ts';
import { requireFound, requireOrg } from './requireFound.ts';
import { ANY_ROLE, MANAGERS } from './roles.ts';
import { oneOf, parseBody, parseEmptyBody, parseQuery } from '../validation/bodyRules.ts';

/** What the API shows of an enrollment. The poll secret's hash never leaves the database. */
export function enrollmentView(e: Enrollment, now = Date.now()) {
  return {
    user_code: e.user_code,
    name: e.name,
    inventory: e.inventory,
    status: e.status,
    node_id: e.node_id,
    created_at: e.created_at,
    expires_at: e.expires_at,
    age_s: Math.max(0, Math.floor((now - Date.parse(e.created_at)) / 1000)),
    expired: e.status === 'pending' && Date.parse(e.expires_at) <= now,
  };
}

/** How a decision is attributed in `approved_by` / `decided_by`: the token name, plus its id when it has one. */
export function actorLabel(admin: AdminIdentity): string {
  return admin.id === null ? admin.name : `${admin.name} (${admin.id})`;
}

/**
 * Operator side of device-code enrollment. Approving creates the node with the org, region and
 * trust class the operator chose — nothing the node said about itself becomes policy. The node's
 * credential is minted later, when the agent polls (enroll/).
 */
export function enrollmentsRoutes(deps: HubDeps): AdminRoute[] {
  const notFound = (code: string) => `no enrollment with code ${code}: check the code the node printed`;
  return [
    {
      method: 'get',
      path: '/enrollments',
      roles: ANY_ROLE,
      async handle(req, res) {
        const status = parseQuery(req.query, 'status', oneOf(['pending', 'approved', 'denied', 'completed'] as const));
        const now = Date.now();
        res.json({ data: (await enrollments.listEnrollments(deps.pool, status)).map((e) => enrollmentView(e, now)) });
      },
    },
    {
      method: 'get',
      path: '/enrollments/:user_code',
      roles: ANY_ROLE,
      async handle(req, res) {
        const code = pathParam(req, 'user_code');
        res.json(enrollmentView(requireFound(await enrollments.getEnrollmentByCode(deps.pool, code), notFound(code))));
      },
    },
    {
      method: 'post',
      path: '/enrollments/:user_code/approve',
      roles: MANAGERS,
      async handle(req, res) {
        const code = pathParam(req, 'user_code');
        const body = parseBody(req.body, approveBody);
        await requireOrg(deps.pool, body.org_id);
        const node = await enrollments.approveEnrollment(deps.pool, code, {
          org_id: body.org_id,
          region: body.region,
          trust_class: body.trust_class,
          ...(body.name !== undefined ? { name: body.name } : {}),
          by: actorLabel(adminOf(res)),
        });
        await deps.events.publish({ type: 'node_changed', node_id: node.id });
        res.json({
          node_id: node.id,
          user_code: enrollments.normaliseUserCode(code),
          status: 'approved',
          org_id: node.org_id,
          name: node.name,
          region: node.region,
          trust_class: node.trust_class,
        });
      },
    },
    {
      method: 'post',
      path: '/enrollments/:user_code/deny',
      roles: MANAGERS,
      async handle(req, res) {
        const code = pathParam(req, 'user_code');
        parseEmptyBody(req.body);
        const e = await enrollments.denyEnrollment(deps.pool, code, actorLabel(adminOf(res)));
        res.json({ user_code: e.user_code, status: e.status });
      },
    },
  ];
}
