import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { httpUrl, readCredentials, writeCredentials } from '../../config/index.ts';
import { AgentError, isAgentError } from '../../errors/index.ts';
import { collectInventory } from '../../system/index.ts';
import type { CommandContext } from '../commandContext.ts';
import { pollEnrollment, startEnrollment, type Enrollment } from '../enrollment.ts';
import { parseFlags } from '../parseFlags.ts';
import { text } from '../text.ts';
import { RELEASE_VERSION } from '@porten/shared/version';
import { startWaitIndicator } from '../waitIndicator.ts';

/**
 * `porten login --hub URL [--name NAME]`: enrolls this machine with its hardware inventory, prints
 * the code and the approval URL, polls at the hub's interval until an operator decides, and stores
 * the credential 0600. Ctrl-C stops waiting (exit 130); the code then expires on the hub by itself.
 */
export async function login(ctx: CommandContext): Promise<number> {
  const flags = parseFlags('login', ctx.argv, { hub: { type: 'string' }, name: { type: 'string' } });
  const config = ctx.config();
  let hubUrl = config.hubUrl;
  if (flags.hub !== undefined) {
    const problems: string[] = [];
    hubUrl = httpUrl('--hub', flags.hub, problems);
    if (problems.length > 0) throw new AgentError('usage', text.badFlags('login', problems[0]!));
  }
  if (!hubUrl) throw new AgentError('usage', text.loginNeedsHub());
  const existing = readCredentials(config.home);
  if (existing) throw new AgentError('already_logged_in', `this machine is already node ${existing.node_id} of ${existing.hub_url}`);

  const inventory = { ...(await collectInventory({ env: ctx.env as NodeJS.ProcessEnv })), engine: config.engine, agent_version: RELEASE_VERSION };
  const enrollment = await startEnrollment(hubUrl, flags.name ?? hostname(), inventory);
  ctx.out(text.enrollCode(enrollment.user_code, enrollment.verification_uri_complete));

  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const indicator = startWaitIndicator(ctx.progress, Date.now() + enrollment.expires_in * 1000);
  try {
    const approved = await waitForApproval(hubUrl, enrollment, interrupted.signal, (note) => indicator.note(note));
    indicator.stop();
    if (!approved) {
      ctx.err(text.loginInterrupted());
      return 130;
    }
    const path = writeCredentials(config.home, { hub_url: hubUrl, node_id: approved.node_id, credential: approved.credential });
    ctx.out(text.loggedIn(approved.node_id, path));
    return 0;
  } finally {
    indicator.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Polls until approved (the credential), interrupted (undefined), or denied/expired (thrown). A hub that drops out is retried until the code expires. */
async function waitForApproval(hubUrl: string, enrollment: Enrollment, signal: AbortSignal, note: (s: string) => void) {
  const deadline = Date.now() + enrollment.expires_in * 1000;
  let intervalMs = Math.max(1, enrollment.interval) * 1000;
  while (!signal.aborted) {
    try {
      await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), undefined, { signal });
    } catch {
      return undefined; // interrupted
    }
    try {
      const r = await pollEnrollment(hubUrl, enrollment);
      note('');
      if (r.status === 'approved') return r;
      if (r.slowDown) intervalMs += 5000; // RFC 8628 slow_down
    } catch (err) {
      if (!isAgentError(err, 'hub_unreachable')) throw err;
      note(text.waitNoteUnreachable(err.message));
    }
    if (Date.now() >= deadline) throw new AgentError('enrollment_expired', `the enrollment code ${enrollment.user_code} expired before an operator approved it`);
  }
  return undefined;
}
