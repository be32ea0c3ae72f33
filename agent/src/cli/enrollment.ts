import { AgentError, describeNetworkError } from '../errors/index.ts';

const HTTP_TIMEOUT_MS = 10_000;

/** The hub's answer to `POST /v1/nodes/enroll` (RFC 8628 in spirit). */
export interface Enrollment {
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  poll_token: string;
  /** Seconds between polls. */
  interval: number;
  /** Seconds the code stays valid. */
  expires_in: number;
}

export type PollResult = { status: 'pending'; slowDown: boolean } | { status: 'approved'; node_id: string; credential: string };

/** Starts an enrollment: the hub answers with the code an operator approves. */
export async function startEnrollment(hubUrl: string, name: string, inventory: object): Promise<Enrollment> {
  const res = await post(hubUrl, '/v1/nodes/enroll', { name, inventory });
  const body = (await res.json().catch(() => undefined)) as Partial<Enrollment> | undefined;
  if (res.status !== 200) throw await refusal(hubUrl, res, body);
  if (
    typeof body?.user_code !== 'string' ||
    typeof body.poll_token !== 'string' ||
    typeof body.verification_uri !== 'string' ||
    typeof body.interval !== 'number' ||
    typeof body.expires_in !== 'number'
  ) {
    throw new AgentError('hub_refused', `${hubUrl} answered the enrollment without a code: is this a Porten hub?`);
  }
  return { ...body, verification_uri_complete: body.verification_uri_complete ?? body.verification_uri } as Enrollment;
}

/** One poll: pending (428, or 429 = slow down), approved (200, the credential, handed out once), or an error. */
export async function pollEnrollment(hubUrl: string, enrollment: Enrollment): Promise<PollResult> {
  const res = await post(hubUrl, '/v1/nodes/enroll/poll', { poll_token: enrollment.poll_token });
  const body = (await res.json().catch(() => undefined)) as { node_id?: unknown; credential?: unknown } | undefined;
  switch (res.status) {
    case 200:
      if (typeof body?.node_id !== 'string' || typeof body.credential !== 'string') throw new AgentError('hub_refused', 'the hub approved the enrollment but sent no credential');
      return { status: 'approved', node_id: body.node_id, credential: body.credential };
    case 428:
      return { status: 'pending', slowDown: false };
    case 429:
      return { status: 'pending', slowDown: true };
    case 403:
      throw new AgentError('enrollment_denied', `an operator denied the enrollment of code ${enrollment.user_code}`);
    case 410:
      throw new AgentError('enrollment_expired', `the enrollment code ${enrollment.user_code} expired before an operator approved it`);
    default:
      throw await refusal(hubUrl, res, body);
  }
}

async function post(hubUrl: string, path: string, body: unknown): Promise<Response> {
  try {
    return await fetch(`${hubUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${HTTP_TIMEOUT_MS / 1000} s` : describeNetworkError(err);
    throw new AgentError('hub_unreachable', `cannot reach the hub at ${hubUrl} (${why})`, { cause: err });
  }
}

async function refusal(hubUrl: string, res: Response, body: unknown): Promise<AgentError> {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  if (res.status >= 500) return new AgentError('hub_unreachable', `the hub at ${hubUrl} answered ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`);
  return new AgentError('hub_refused', typeof message === 'string' ? `the hub refused: ${message}` : `${hubUrl} answered ${res.status}: is this a Porten hub?`);
}
