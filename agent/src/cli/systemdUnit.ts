export interface UnitSpec {
  /** Program and arguments. */
  execStart: string[];
  /** Environment= lines, in order. */
  environment: [string, string][];
  /** User= (default: root). */
  user: string | undefined;
  /** How long systemd waits after SIGTERM before SIGKILL; undefined = no limit (the drain has none). */
  stopTimeoutS: number | undefined;
}

/**
 * The systemd unit for `porten run`. SIGTERM is the drain signal; exits 2 (bad configuration) and 3
 * (no usable credential) are not restarted — retrying cannot fix them — every other failure is,
 * after 5 s (the agent itself reconnects on network loss without exiting).
 */
export function renderUnit(spec: UnitSpec): string {
  return [
    '# Written by `porten service install`. Settings are baked in below; run it again after changing them.',
    '[Unit]',
    'Description=Porten node agent (serves inference for a Porten hub)',
    'Documentation=https://github.com/porten/porten-self-host/blob/main/docs/agent.md',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.execStart.map(quoteArg).join(' ')}`,
    ...spec.environment.map(([k, v]) => `Environment=${quoteArg(`${k}=${v}`)}`),
    ...(spec.user ? [`User=${spec.user}`] : []),
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${spec.stopTimeoutS === undefined ? 'infinity' : spec.stopTimeoutS}`,
    'Restart=on-failure',
    'RestartSec=5',
    'RestartPreventExitStatus=2 3',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** systemd quoting: plain when safe, else double quotes with `\` and `"` escaped; `%` doubled (specifier escape) always. */
function quoteArg(s: string): string {
  const escaped = s.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
