/**
 * `npm start` (after scripts/start.sh installed what is missing and built the binaries and images):
 * the whole self-hosted platform on this machine, and the sovereign guarantee shown end to end.
 *   1. the platform stack (hub, PostgreSQL, Redis) from the release images, site settings and
 *      secrets in .porten/porten.env (0600);
 *   2. a demo GGUF generated and imported into the catalog and the hub's model mirror;
 *   3. the demo org and a sovereign key (fleet: own, regions: [eu]);
 *   4. one node (the node stack: the agent in a container), approved as demo / eu / trusted;
 *   5. a chat completion with that key: answered, with the serving node and region;
 *   6. the node stopped: the same request is refused 503 no_available_node — never sent elsewhere;
 *   7. the node started again; the platform is left running.
 * Re-running reuses everything (images cached, stack up, node enrolled). Writes .porten/quickstart.json.
 * Settings: PORTEN_SITE_DIR (default .porten), PORTEN_PROJECT (porten), PORTEN_HUB_PORT (8080).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTinyLlama } from '@porten/agent/gguf/writeTinyLlama';
import { AdminClient } from '@porten/airgap/site/adminClient';
import { AirgapError } from '@porten/airgap/airgapError';
import { ensureCatalogModel } from '@porten/airgap/site/catalogModel';
import { approveFromAgentLog, ensureOrg, waitNodeOnline } from '@porten/airgap/site/siteAdmin';
import { DEMO, sendChat } from './demoSite.ts';
import { bringUpPlatform, nodeProject } from '@porten/airgap/site/platform';
import { writeSiteSecret } from '@porten/airgap/site/siteEnv';
import { findRepoRoot } from '@porten/shared/repoRoot';
import { loadQuickStartConfig } from './quickStartConfig.ts';

const REPO = findRepoRoot(import.meta.dirname);
const NODE_ONLINE_MS = 180_000;

interface QuickStart {
  hub_url: string;
  api_key: string;
  admin_token: string;
  model: string;
  node_id: string;
  org_id: string;
  compose_project: string;
  node_compose_project: string;
  site_dir: string;
}

export interface QuickStartOptions {
  siteDir: string;
  project: string;
  hubPort: number;
  out: (line: string) => void;
}

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

export async function quickStart(opts: QuickStartOptions): Promise<QuickStart> {
  const started = Date.now();
  const step = (line: string) => opts.out(`${bold('==>')} ${line} ${process.stdout.isTTY ? `\x1b[2m(${((Date.now() - started) / 1000).toFixed(1)} s)\x1b[0m` : ''}`.trimEnd());
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
  const platform = await bringUpPlatform({ siteDir: opts.siteDir, project: opts.project, version, hubPort: opts.hubPort, step });
  const { hubUrl, settings } = platform;
  const admin = new AdminClient(hubUrl, settings.PORTEN_ADMIN_TOKEN);
  const quickPath = join(opts.siteDir, 'quickstart.json');
  const previous: Partial<QuickStart> = existsSync(quickPath) ? JSON.parse(readFileSync(quickPath, 'utf8')) : {};

  const gguf = join(opts.siteDir, `${DEMO.model}.gguf`);
  if (!existsSync(gguf)) {
    step(`generating the demo model (a tiny llama GGUF with random weights) in ${gguf}`);
    await writeTinyLlama(gguf, { seed: 1 });
  }
  const model = await ensureCatalogModel(admin, DEMO.model, gguf);
  step(model.imported ? `imported ${DEMO.model} into the catalog and the model mirror (sha256 ${model.sha256.slice(0, 12)}…)` : `${DEMO.model} already in the catalog`);

  const org = await ensureOrg(admin, DEMO.org);
  const keyAlive = previous.api_key && (await fetch(`${hubUrl}/v1/models`, { headers: { authorization: `Bearer ${previous.api_key}` } })).status === 200;
  const apiKey = keyAlive ? previous.api_key! : (await admin.post('/keys', { org_id: org.id, name: DEMO.keyName, fleet: 'own', regions: [DEMO.region], min_trust: DEMO.trust, models: null })).key;
  step(keyAlive ? 'sovereign key exists (fleet: own, regions: [eu], min_trust: trusted)' : 'created a sovereign key (fleet: own, regions: [eu], min_trust: trusted)');
  if (!existsSync(join(opts.siteDir, 'secrets', 'metrics-token'))) {
    const token = await admin.post('/tokens', { name: 'prometheus', role: 'auditor' });
    writeSiteSecret(opts.siteDir, 'metrics-token', token.token);
  }

  const nodes = await nodeProject(opts.siteDir, opts.project);
  step(`starting a node (compose project ${nodes.name}: the agent with the builtin llama.cpp engine)`);
  await nodes.up();
  step(`approving node ${DEMO.nodeName} as org ${DEMO.org}, region ${DEMO.region}, trust ${DEMO.trust}`);
  const nodeId = await approveFromAgentLog(admin, () => nodes.logs('agent', 400), { org_id: org.id, region: DEMO.region, trust_class: DEMO.trust }, NODE_ONLINE_MS);
  await waitNodeOnline(admin, nodeId, true, NODE_ONLINE_MS);

  step('sending a chat completion with the sovereign key (the node downloads and loads the model on first use)');
  const served = await sendChat(hubUrl, apiKey, DEMO.model, 'Hello from a sovereign site');
  if (served.status !== 200) {
    throw new AirgapError('hub_request_failed', `the demo request was not served: ${served.status} ${JSON.stringify(served.body)}; see \`docker-compose -p ${nodes.name} logs agent\``);
  }
  opts.out(`    answer: ${JSON.stringify(served.body.choices[0].message.content)}`);
  opts.out(`    served by node ${served.node} in region ${served.region} (the model has random weights: the words mean nothing)`);

  step('stopping the node: the same request must now be refused, not sent anywhere else');
  await nodes.stop();
  await waitNodeOnline(admin, nodeId, false, 60_000);
  const refused = await sendChat(hubUrl, apiKey, DEMO.model, 'Hello from a sovereign site');
  opts.out(`    ${refused.status} ${refused.body?.error?.code}: ${refused.body?.error?.message}`);
  if (refused.status !== 503 || refused.body?.error?.code !== 'no_available_node') {
    throw new AirgapError('hub_request_failed', `expected 503 no_available_node with the node stopped, got ${refused.status} ${JSON.stringify(refused.body)}`);
  }
  opts.out('    ↑ fail closed: no node of the demo org is online in the EU, so the request went nowhere.');

  step('starting the node again');
  await nodes.start();
  await waitNodeOnline(admin, nodeId, true, NODE_ONLINE_MS);

  const quick: QuickStart = {
    hub_url: hubUrl,
    api_key: apiKey,
    admin_token: settings.PORTEN_ADMIN_TOKEN,
    model: DEMO.model,
    node_id: nodeId,
    org_id: org.id,
    compose_project: opts.project,
    node_compose_project: nodes.name,
    site_dir: opts.siteDir,
  };
  writeFileSync(quickPath, `${JSON.stringify(quick, null, 2)}\n`, { mode: 0o600 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const rel = opts.siteDir.startsWith(REPO) ? opts.siteDir.slice(REPO.length + 1) : opts.siteDir;
  opts.out(`
${bold(`Porten is running at ${hubUrl}`)} (platform ready in ${seconds} s)
  quick-start data  ${rel}/quickstart.json (hub_url, api_key, admin_token, model, node_id)
  approve nodes     ${hubUrl}/nodes/approve    add a machine: curl -fsSL http://<this host>:${opts.hubPort}/install.sh | sh
  call the API      curl ${hubUrl}/v1/chat/completions -H "Authorization: Bearer ${apiKey}" \\
                      -H 'Content-Type: application/json' -d '{"model":"${DEMO.model}","messages":[{"role":"user","content":"hi"}]}'
                    or any OpenAI SDK with base_url ${hubUrl}/v1
  monitoring        docker-compose -p ${opts.project} --env-file ${rel}/porten.env -f compose/platform.yml -f compose/monitoring.yml up -d
  stop              npm run stop   (data kept)      remove everything: npm run reset
  docs              docs/operations.md, docs/api.md, docs/admin-api.md
`);
  return quick;
}

if (import.meta.main) {
  const start = async () => quickStart({ ...loadQuickStartConfig(process.env, REPO), out: (l) => console.log(l) });
  start().catch((err: Error) => {
    console.error(`npm start failed: ${err.message}`);
    if (!(err instanceof AirgapError)) console.error(err.stack);
    process.exit(1);
  });
}
