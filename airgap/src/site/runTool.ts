import { runCommand } from '@porten/bundle/runCommand';
import { AirgapError } from '../airgapError.ts';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs docker / docker-compose through the tree's one process runner (@porten/bundle/runCommand,
 * zx: arguments reach the program as they are) and collects its output. A missing program is
 * `tool_missing`; a non-zero exit is returned, not thrown — callers that need success use
 * `runToolChecked`.
 */
export async function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): Promise<ToolResult> {
  const res = await runCommand(cmd, args, { env, timeoutMs });
  if (res.missing) throw new AirgapError('tool_missing', `${cmd} is not installed; run \`npm start\` (it installs it) or apt-get install ${cmd === 'docker' ? 'docker.io' : cmd}`);
  return { code: res.code, stdout: res.stdout, stderr: res.stderr };
}

/** Like runTool, but a non-zero exit throws `command_failed` naming the command and its last error lines. */
export async function runToolChecked(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<string> {
  const res = await runTool(cmd, args, env, timeoutMs);
  if (res.code !== 0) {
    const tail = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-5).join(' | ');
    throw new AirgapError('command_failed', `\`${cmd} ${args.join(' ')}\` failed (exit ${res.code}): ${tail || 'no output'}`);
  }
  return res.stdout;
}
