import { readCredentials, requireCredentials } from '../../config/index.ts';
import { createEngine } from '../../engines/createEngine.ts';
import type { Engine } from '../../engines/types.ts';
import { ModelStore } from '../../models/index.ts';
import { detectVramBudget } from '../../system/index.ts';
import { TunnelClient, type ModelSource } from '../../tunnel/index.ts';
import type { CommandContext } from '../commandContext.ts';
import { createLogger } from '@porten/shared/log';
import { parseFlags } from '../parseFlags.ts';
import { removeRunState, writeRunState, type RunState } from '../runState.ts';
import { text } from '../text.ts';
import { login } from './login.ts';
import { RELEASE_VERSION } from '@porten/shared/version';

/** How often the run state for `porten status` is refreshed besides every change (engine health moves on its own). */
const STATE_REFRESH_MS = 5000;

/**
 * `porten run`: the agent's composition root. Builds the engine and the tunnel client, serves until
 * a signal, and owns graceful stop: the first SIGTERM/SIGINT drains (no new requests, in-flight ones
 * finish, then exit 0), a second one stops at once (exit 1). A credential the hub rejects ends the
 * run with one line and exit 3 — systemd does not restart it (RestartPreventExitStatus).
 *
 * `--enroll` (for containers, whose image has no shell to script `login` then `run`): when this
 * machine holds no credential yet, enroll first with PORTEN_HUB_URL exactly as `porten login` does
 * (the code is printed, an operator approves), then serve. With a credential it is a plain `run`.
 */
export async function run(ctx: CommandContext): Promise<number> {
  const flags = parseFlags('run', ctx.argv, { enroll: { type: 'boolean' } });
  const config = ctx.config();
  if (flags.enroll && !readCredentials(config.home)) {
    const enrolled = await login({ ...ctx, argv: [] });
    if (enrolled !== 0) return enrolled;
  }
  const creds = requireCredentials(config.home);
  const hubUrl = config.hubUrl ?? creds.hub_url;
  const log = createLogger(config.logLevel);
  const budget = await detectVramBudget({ overrideMb: config.vramBudgetMb ?? null, env: ctx.env as NodeJS.ProcessEnv });
  const engine: Engine = await createEngine(config, log);

  // Only the builtin engine loads weights; external engines serve what their upstream has.
  const models: ModelSource | undefined = engine.kind === 'builtin' ? await ModelStore.open({ dir: config.modelsDir, credential: creds.credential }) : undefined;

  const startedAt = new Date().toISOString();
  let client: TunnelClient | undefined;
  const saveState = () => {
    if (!client) return;
    const state: RunState = {
      pid: process.pid,
      hub_url: hubUrl,
      engine: engine.kind,
      upstream_url: config.engine === 'builtin' ? undefined : config.upstreamUrl,
      vram_budget_mb: budget.mb,
      vram_budget_source: budget.source,
      started_at: startedAt,
      updated_at: new Date().toISOString(),
      tunnel: client.status(),
    };
    try {
      writeRunState(config.home, state);
    } catch (err) {
      log.warn('cannot write the run state for `porten status`', { err: (err as Error).message });
    }
  };

  client = new TunnelClient({
    hubUrl,
    credential: creds.credential,
    agentVersion: RELEASE_VERSION,
    engine,
    models,
    vramBudgetMb: budget.mb,
    maxConcurrency: config.maxConcurrency,
    log,
    onStatus: saveState,
  });
  const tunnel = client;

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log.info('signal received: draining', { signal });
      void tunnel.drain(config.drainTimeoutMs);
    } else {
      ctx.err(text.forced());
      tunnel.stop();
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const refresh = setInterval(saveState, STATE_REFRESH_MS);

  log.info('porten agent starting', { version: RELEASE_VERSION, hub: hubUrl, node: creds.node_id, engine: engine.kind, vram_budget_mb: budget.mb, max_concurrency: config.maxConcurrency });
  tunnel.start();
  saveState();
  try {
    const end = await tunnel.ended;
    switch (end.kind) {
      case 'drained':
        log.info('drained; exiting', { timed_out: end.timedOut });
        return end.timedOut ? 1 : 0;
      case 'stopped':
        return 1;
      case 'failed':
        throw end.error;
    }
  } finally {
    clearInterval(refresh);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    removeRunState(config.home);
    await engine.close().catch((err: Error) => log.warn('engine did not close cleanly', { err: err.message }));
  }
}
