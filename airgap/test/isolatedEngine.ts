import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A machine with no route outside it, for the air-gap tests: a network namespace whose only links
 * are loopback and `out0`, a veth whose other end sits alone in a sink namespace (nothing there
 * answers or forwards). The default route points at out0, so anything that tries to reach beyond
 * the machine leaves through out0 and is counted (`outboundPackets`); nothing can arrive. IPv6 is
 * off in both, so the kernel itself sends nothing. A Docker engine of its own (data root, exec
 * root, socket, containerd) runs in the namespace, so its images are only what a test loads and its
 * containers share the namespace's isolation. Entered with nsenter (net only): `ip netns exec`
 * remounts /sys, which hides the cgroup mounts dockerd needs.
 */
export class IsolatedMachine {
  readonly ns: string;
  readonly root: string;
  readonly socket: string;
  private dockerd: number | undefined;

  constructor(name: string) {
    this.ns = name;
    this.root = `/var/lib/${name}`;
    this.socket = `/run/${name}/docker.sock`;
  }

  get dockerHost(): string {
    return `unix://${this.socket}`;
  }

  /** The prefix that runs a command inside the namespace. */
  get enter(): string[] {
    return ['nsenter', `--net=/run/netns/${this.ns}`];
  }

  async create(withEngine: boolean, withOutboundLink = true): Promise<void> {
    await this.destroy();
    const sink = `${this.ns}-sink`;
    await sh('ip', ['netns', 'add', this.ns]);
    await sh('ip', ['netns', 'exec', this.ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await sh('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    if (withOutboundLink) {
      await sh('ip', ['netns', 'add', sink]);
      await sh('ip', ['netns', 'exec', sink, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      await sh('ip', ['link', 'add', 'out0', 'netns', this.ns, 'type', 'veth', 'peer', 'name', 'sink0', 'netns', sink]);
      await sh('ip', ['-n', this.ns, 'addr', 'add', '192.0.2.1/24', 'dev', 'out0']);
      await sh('ip', ['-n', this.ns, 'link', 'set', 'out0', 'up']);
      await sh('ip', ['-n', sink, 'link', 'set', 'sink0', 'up']);
      await sh('ip', ['-n', this.ns, 'route', 'add', 'default', 'via', '192.0.2.254', 'dev', 'out0']);
    }
    if (!withEngine) return;
    mkdirSync(`/run/${this.ns}`, { recursive: true });
    mkdirSync(this.root, { recursive: true });
    const log = openSync(`/run/${this.ns}/dockerd.log`, 'a');
    const child = spawn('nsenter', [`--net=/run/netns/${this.ns}`, 'dockerd', '--data-root', `${this.root}/docker`, '--exec-root', `/run/${this.ns}/exec`, '--pidfile', `/run/${this.ns}/docker.pid`, '-H', this.dockerHost, '--bridge', 'none', '--storage-driver', 'overlay2'], { stdio: ['ignore', log, log], detached: true });
    child.unref();
    for (let i = 0; i < 60; i++) {
      if (existsSync(this.socket) && (await sh('docker', ['-H', this.dockerHost, 'info', '--format', '{{.ServerVersion}}']).then(() => true, () => false))) {
        this.dockerd = Number(readFileSync(`/run/${this.ns}/docker.pid`, 'utf8'));
        return;
      }
      await sleep(1000);
    }
    throw new Error(`the namespace's dockerd did not start; see /run/${this.ns}/dockerd.log`);
  }

  /** Packets sent out of the namespace towards anything beyond the machine (IPv4 through out0). */
  async outboundPackets(): Promise<number> {
    return Number((await sh('ip', ['netns', 'exec', this.ns, 'cat', '/sys/class/net/out0/statistics/tx_packets'])).trim());
  }

  async links(): Promise<string[]> {
    return (await sh('ip', ['-n', this.ns, '-o', 'link', 'show'])).split('\n').filter(Boolean).map((l) => l.split(':')[1]!.trim().split('@')[0]!);
  }

  async destroy(): Promise<void> {
    const pidFile = `/run/${this.ns}/docker.pid`;
    const pid = this.dockerd ?? (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined);
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 30 && alive(pid); i++) await sleep(1000);
      } catch {
        // already gone
      }
    }
    this.dockerd = undefined;
    await sh('ip', ['netns', 'del', this.ns]).catch(() => {});
    await sh('ip', ['netns', 'del', `${this.ns}-sink`]).catch(() => {});
    await sh('umount', ['-R', `/run/${this.ns}/exec`]).catch(() => {});
    rmSync(`/run/${this.ns}`, { recursive: true, force: true });
    await sh('umount', ['-R', `${this.root}/docker/overlay2`]).catch(() => {});
    rmSync(this.root, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, maxBuffer: 64 << 20, timeout: 600_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout)));
  });
}
