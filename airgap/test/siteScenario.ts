/**
 * Run inside the isolated namespace after `portenctl airgap install`: starts a node from the
 * bundle's node.yml and the agent image the bundle loaded, approves it, makes an API key and sends
 * one chat completion with the official openai SDK. Prints one JSON line with what happened.
 *
 *   node siteScenario.ts <site dir> <node.yml> <compose project> <model id>
 */
import OpenAI from 'openai';
import { AdminClient } from '../src/site/adminClient.ts';
import { ComposeProject, findCompose } from '../src/site/composeProject.ts';
import { approveNodeByName, ensureOrg, waitNodeOnline } from '../src/site/siteAdmin.ts';
import { readSiteEnv, siteEnvPath } from '../src/site/siteEnv.ts';

const [siteDir, nodeCompose, project, model] = process.argv.slice(2) as [string, string, string, string];
const NODE_NAME = 'airgap-node-1';
const env = readSiteEnv(siteDir);
const hubUrl = `http://127.0.0.1:${env.PORTEN_HUB_PORT}`;
const admin = new AdminClient(hubUrl, env.PORTEN_ADMIN_TOKEN!);

process.env.PORTEN_NODE_NAME = NODE_NAME; // compose reads it over the env file
const nodes = new ComposeProject(await findCompose(), `${project}-node`, siteEnvPath(siteDir), [nodeCompose]);
await nodes.up();
const org = await ensureOrg(admin, 'airgap-site');
const nodeId = await approveNodeByName(admin, NODE_NAME, { org_id: org.id, region: 'eu', trust_class: 'trusted' }, 180_000);
await waitNodeOnline(admin, nodeId, true, 120_000);
const key = (await admin.post('/keys', { org_id: org.id, name: 'airgap key', fleet: 'own', regions: ['eu'], min_trust: 'trusted', models: null })).key as string;
const openai = new OpenAI({ baseURL: `${hubUrl}/v1`, apiKey: key, maxRetries: 0, timeout: 300_000 });
const { data, response } = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello from an air-gapped site' }], max_tokens: 8, seed: 7 }).withResponse();
const installs = (await admin.get('/installs')).data as { version: string; bundle_sha256: string; verification: { result: string } }[];
console.log(JSON.stringify({ served_at: Date.now(), node: response.headers.get('x-porten-node'), region: response.headers.get('x-porten-region'), object: data.object, content: data.choices[0]?.message.content, usage: data.usage, installs }));
