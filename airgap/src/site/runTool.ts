import { execFile } from 'node:child_process';
import { AirgapError } from '../airgapError.ts';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs docker / docker-compose without a shell (arguments are passed as they are) and collects its
 * output. A missing program is `tool_missing`; a non-zero exit is returned, not thrown — callers
 * that need success use `runToolChecked`.
 */
export function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 600_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && e.code === 'ENOENT') {
        reject(new AirgapError('tool_missing', `${cmd} is not installed; run \`npm start\` (it installs it) or apt-get install ${cmd === 'docker' ? 'docker.io' : cmd}`));
        return;
      }
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
    });
  });
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
