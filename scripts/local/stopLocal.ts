/** `npm run stop`: stops the local hub, Redis and PostgreSQL started by `npm start`. Data stays in .porten/. */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS, isRunning, pgBin, pgUser } from './localSite.ts';

async function stopPid(name: string, pidFile: string): Promise<void> {
  const pid = isRunning(pidFile);
  if (!pid) {
    console.log(`${name}: not running`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isRunning(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
  console.log(`${name}: stopped`);
}

await stopPid('hub', PATHS.hubPid);
rmSync(PATHS.hubPid, { force: true });
await stopPid('redis', PATHS.redisPid);
if (existsSync(join(PATHS.pgData, 'PG_VERSION'))) {
  try {
    execFileSync(pgBin('pg_ctl'), ['-D', PATHS.pgData, '-m', 'fast', '-w', 'stop'], { stdio: 'ignore', ...pgUser() });
    console.log('postgres: stopped');
  } catch {
    console.log('postgres: not running');
  }
}
