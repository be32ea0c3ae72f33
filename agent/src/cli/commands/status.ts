import { PROTOCOL_VERSION, type WelcomeMessage } from '@porten/shared/protocol';
import { requireCredentials } from '../../config/index.ts';
import { AgentError } from '../../errors/index.ts';
import { detectVramBudget } from '../../system/index.ts';
import { openTunnel } from '../../tunnel/index.ts';
import type { CommandContext } from '../commandContext.ts';
import { parseFlags } from '../parseFlags.ts';
import { readRunState } from '../runState.ts';
import { text } from '../text.ts';
import { RELEASE_VERSION } from '@porten/shared/version';

interface StatusReport {
  hub_url: string;
  node_id: string;
  name: string;
  org_id: string;
  region: string;
  trust_class: string;
  engine: string;
  upstream_url: string | undefined;
  loaded_models: string[] | null;
  vram_budget_mb: number;
  vram_budget_source: string;
  agent: { running: boolean; pid: number | null; connected: boolean; connected_since: string | null; last_error: string | null };
}

/**
 * `porten status`: the node as the hub sees it — region and trust class are the operator's, taken
 * from the hub's `welcome` — plus the engine, served models and VRAM budget. When `porten run` is
 * up on this machine its run state answers (its live tunnel holds the welcome, kept current by the
 * hub's `assignment` frames when an operator re-classifies the node, without a reconnect); otherwise a short
 * tunnel says hello, reads the welcome and closes, advertising no model and no capability so the
 * hub routes nothing to it. Exit 1 when the hub cannot be reached, 3 without a usable credential.
 */
export async function status(ctx: CommandContext): Promise<number> {
  const flags = parseFlags('status', ctx.argv, { json: { type: 'boolean' } });
  const config = ctx.config();
  const creds = requireCredentials(config.home);
  const hubUrl = config.hubUrl ?? creds.hub_url;
  const running = readRunState(config.home);

  let welcome: WelcomeMessage | undefined;
  let report: StatusReport;
  let failure: AgentError | undefined;
  if (running) {
    welcome = running.tunnel.welcome;
    if (!running.tunnel.connected) failure = new AgentError('hub_unreachable', `the running agent is not connected to the hub: ${running.tunnel.last_error ?? 'connecting'}`);
    report = base(running.hub_url, creds.node_id, welcome, running.engine, running.upstream_url, running.vram_budget_mb, running.vram_budget_source);
    report.loaded_models = running.tunnel.loaded_models;
    report.agent = {
      running: true,
      pid: running.pid,
      connected: running.tunnel.connected,
      connected_since: running.tunnel.connected_at ? new Date(running.tunnel.connected_at).toISOString() : null,
      last_error: running.tunnel.last_error ?? null,
    };
  } else {
    const budget = await detectVramBudget({ overrideMb: config.vramBudgetMb ?? null, env: ctx.env as NodeJS.ProcessEnv });
    welcome = await fetchWelcome(hubUrl, creds.credential);
    report = base(hubUrl, creds.node_id, welcome, config.engine, config.engine === 'builtin' ? undefined : config.upstreamUrl, budget.mb, budget.source);
  }

  if (flags.json) ctx.out(JSON.stringify(report, null, 2));
  else ctx.out(render(report));
  if (failure) throw failure;
  return 0;
}

/** A tunnel only long enough for the welcome: the hub's record of this node. */
async function fetchWelcome(hubUrl: string, credential: string): Promise<WelcomeMessage> {
  const { ws, welcome } = await openTunnel({
    hubUrl,
    credential,
    hello: {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agent_version: RELEASE_VERSION,
      engine: { kind: 'builtin', capabilities: [] },
      capacity: { vram_total_mb: 0, vram_free_mb: 0, max_concurrency: 1 },
      loaded_models: [],
    },
    onFrame: (m) => {
      // Nothing can be served from here: send back any request so the hub retries it elsewhere.
      if (m.type === 'request') ws.send(JSON.stringify({ type: 'error', id: m.id, code: 'node_draining', message: 'status check, not serving', retryable: true }));
    },
    onClose: () => undefined,
  });
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close(1000, 'porten status');
    setTimeout(resolve, 2000).unref();
  });
  return welcome;
}

function base(hubUrl: string, nodeId: string, w: WelcomeMessage | undefined, engine: string, upstream: string | undefined, vramMb: number, vramSource: string): StatusReport {
  return {
    hub_url: hubUrl,
    node_id: w?.node_id ?? nodeId,
    name: w?.name ?? '?',
    org_id: w?.org_id ?? '?',
    region: w?.region ?? '?',
    trust_class: w?.trust_class ?? '?',
    engine,
    upstream_url: upstream,
    loaded_models: null,
    vram_budget_mb: vramMb,
    vram_budget_source: vramSource,
    agent: { running: false, pid: null, connected: false, connected_since: null, last_error: null },
  };
}

function render(r: StatusReport): string {
  const a = r.agent;
  return text.statusLines([
    ['hub', r.hub_url],
    ['node', `${r.node_id} (${r.name})`],
    ['organization', r.org_id],
    ['region', r.region],
    ['trust class', r.trust_class],
    ['engine', r.upstream_url ? `${r.engine} → ${r.upstream_url}` : r.engine],
    ['models', r.loaded_models === null ? text.modelsNotRunning() : r.loaded_models.length > 0 ? r.loaded_models.join(', ') : text.noModels()],
    ['vram budget', text.vram(r.vram_budget_mb, r.vram_budget_source)],
    ['agent', !a.running ? text.agentNotRunning() : a.connected ? text.agentRunning(a.pid!, a.connected_since ?? '?') : text.agentRunningDisconnected(a.pid!, a.last_error ?? 'connecting')],
  ]);
}
