/**
 * Which external programs the repository's code spawns, and which of them scripts/bootstrap.sh
 * installs. A fresh, minimal Debian 12 machine has little more than coreutils and dash: every
 * other program a test, a benchmark or a command starts must be in the bootstrap's table, or
 * `npm test` fails there with `spawn <program> ENOENT` (as it once did for `ip`).
 */

/** Calls whose first argument is the program: spawn('ip', …), execFileSync('git', …), sh('nsenter', …). */
const SPAWN_CALL = /\b(?:spawn|spawnSync|execFile|execFileSync|sh|run|runTool|runToolChecked|runCommand|runChecked)\(\s*'([A-Za-z][\w.+-]*)'/g;
/** Programs started inside a network namespace: 'netns', 'exec', ns, 'sysctl'. */
const NETNS_EXEC = /'netns',\s*'exec',\s*[^,]+,\s*'([A-Za-z][\w.+-]*)'/g;

/**
 * Programs spawned that the bootstrap does not install, and why each may stay out: part of every
 * Debian system, ours, or optional where the code runs without it.
 */
export const NOT_INSTALLED: Record<string, string> = {
  sh: 'dash is Essential in Debian',
  cat: 'coreutils is Essential in Debian',
  id: 'coreutils is Essential in Debian',
  printf: 'coreutils is Essential in Debian',
  sleep: 'coreutils is Essential in Debian',
  'porten-no-such-tool': 'the runner test\'s deliberately missing program',
  'apt-get': 'the installer itself',
  npx: 'comes with npm, which runs the bootstrap',
  'docker-compose': 'the bootstrap installs docker-compose, or uses `docker compose` when present',
  systemctl: 'optional: `porten-agent service` says what to do when systemd is absent',
  'nvidia-smi': 'optional: the agent probes for GPUs and runs on CPU without it',
};

/** The programs a TypeScript source spawns (by the call forms above). */
export function spawnedPrograms(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const re of [SPAWN_CALL, NETNS_EXEC]) for (const m of code.matchAll(re)) found.add(m[1]!);
  return [...found];
}

/** The programs scripts/bootstrap.sh makes sure exist: its `tools=( program=package … )` table. */
export function bootstrapPrograms(bootstrap: string): string[] {
  const table = /^tools=\(\n([\s\S]*?)^\)/m.exec(bootstrap);
  if (!table) throw new Error('scripts/bootstrap.sh has no tools=( … ) table; restore it (one "program=package" per line)');
  return table[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split('=')[0]!);
}
