import type { AgentErrorCode } from '../errors/index.ts';
import { RELEASE_REVISION, RELEASE_VERSION } from '@porten/shared/version';

/**
 * Everything the `porten` command line says to people, in one place: usage, prompts, progress and
 * the hint added to each error. Log lines (JSON, for machines) are not here.
 */

export const USAGE = `usage: porten <command> [flags]

commands:
  login --hub URL [--name NAME]   enroll this machine: prints a code for an operator to approve
  run [--enroll]                  connect to the hub and serve until SIGTERM (first drains, second forces);
                                  --enroll: when not enrolled yet, enroll with PORTEN_HUB_URL first
  status [--json]                 hub, node, region and trust as the hub assigned them, engine, models
  service install [--dir DIR] [--user USER]
                                  write the systemd unit porten.service (settings baked in) and enable it
  logout                          delete this machine's node credential
  version                         print the release version and git revision

settings come from PORTEN_* environment variables: see docs/agent.md`;

export const text = {
  version: () => `porten ${RELEASE_VERSION} (rev ${RELEASE_REVISION})`,
  unknownCommand: (cmd: string) => `unknown command "${cmd}"; run \`porten help\` for the commands`,
  missingCommand: () => 'no command given; run `porten help` for the commands',
  unknownServiceCommand: (sub: string | undefined) => `${sub ? `unknown service command "${sub}"` : 'no service command given'}; the one there is: porten service install [--dir DIR] [--user USER]`,
  badFlags: (cmd: string, detail: string) => `${detail.replace(/\.$/, '')}; usage: ${COMMAND_USAGE[cmd] ?? 'porten help'}`,
  loginNeedsHub: () => `porten login needs the hub's address: porten login --hub https://hub.example`,

  // login
  enrollCode: (code: string, url: string) => [`To approve this node, an operator enters the code ${code}`, `at ${url}`, ''].join('\n'),
  waiting: (left: string, note: string) => `waiting for an operator to approve this node (${left} left)${note ? ` — ${note}` : ''}`,
  waitNoteUnreachable: (why: string) => `hub unreachable (${why}), still trying`,
  loggedIn: (nodeId: string, path: string) => `approved: this machine is node ${nodeId}; credential stored in ${path}\nnext: porten run (or porten service install)`,
  loginInterrupted: () => 'login cancelled; nothing was stored (the code expires by itself)',

  // logout
  loggedOut: (nodeId: string, hubUrl: string) =>
    `deleted the credential of node ${nodeId}; an operator can also revoke it on the hub (${hubUrl}/admin/v1/nodes/${nodeId}/revoke)\na running \`porten run\` keeps its tunnel until it stops`,
  notLoggedIn: () => 'not logged in; nothing to delete',
  deletedUnreadable: () => 'deleted the credential file (it could not be read)',

  // status
  statusLines: (rows: [string, string][]) => rows.map(([k, v]) => `${`${k}:`.padEnd(13)} ${v}`).join('\n'),
  agentRunning: (pid: number, since: string) => `running (pid ${pid}, tunnel up since ${since})`,
  agentRunningDisconnected: (pid: number, why: string) => `running (pid ${pid}), not connected: ${why}`,
  agentNotRunning: () => 'not running (start it with `porten run` or `porten service install`)',
  modelsNotRunning: () => 'none (the agent is not running)',
  noModels: () => 'none',
  vram: (mb: number, source: string) => `${mb} MB (${source === 'override' ? 'PORTEN_VRAM_BUDGET_MB' : source === 'nvidia' ? 'GPU memory from nvidia-smi' : '75% of RAM'})`,

  // service install
  unitWritten: (path: string) => `wrote ${path}`,
  serviceEnabled: () => 'enabled and started porten.service (systemctl daemon-reload && systemctl enable --now porten); logs: journalctl -u porten -f',
  serviceNextSteps: (path: string, defaultDir: boolean) =>
    defaultDir
      ? 'systemctl was not found; to start the agent at boot run: systemctl daemon-reload && systemctl enable --now porten'
      : `to use it: copy ${path} to /etc/systemd/system/, then run: systemctl daemon-reload && systemctl enable --now porten`,
  apiKeyMoved: (path: string) => `PORTEN_UPSTREAM_API_KEY stored in ${path} (0600); the unit reads it from there`,

  // errors
  errorLine: (message: string, hint: string | undefined) => `porten: ${message.replace(/\.$/, '')}${hint ? `; ${hint}` : ''}`,
  bug: (err: string) => `porten: unexpected error (this is a bug in porten ${RELEASE_VERSION}): ${err}`,
  forced: () => 'second signal: stopping now without waiting for requests in flight',
} as const;

/** Usage of each command, for bad-flag errors. */
const COMMAND_USAGE: Record<string, string> = {
  login: 'porten login --hub URL [--name NAME]',
  run: 'porten run',
  status: 'porten status [--json]',
  service: 'porten service install [--dir DIR] [--user USER]',
  logout: 'porten logout',
};

/** What to do about an error, added after its message on the one line the CLI prints. */
export const HINTS: Partial<Record<AgentErrorCode, string>> = {
  hub_unreachable: 'check the hub URL and that the hub is running and reachable from this machine',
  credential_rejected: 'run `porten logout`, then `porten login --hub URL` to enroll again',
  tunnel_replaced: 'stop the other agent (or `porten logout` there); one node credential serves one machine',
  protocol_error: 'install the agent version that matches the hub',
  enrollment_denied: 'ask the operator why, then run `porten login` again',
  enrollment_expired: 'run `porten login` again and have the code approved before it expires',
  already_logged_in: 'run `porten logout` first to enroll again',
  payload_missing: 'unpack porten-payload.tar.gz beside the executable (install.sh from the hub does both), or use an external engine with PORTEN_ENGINE=openai',
};
