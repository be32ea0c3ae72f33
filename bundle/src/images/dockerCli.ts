/**
 * The docker engine, through the docker CLI (execFile-style, no shell) rather than dockerode:
 * `docker import` of a tarball and `docker build` of a context folder are one command each here,
 * where dockerode needs the context tarred by hand and build output parsed from a JSON stream,
 * and the CLI is on every machine that has the engine (Debian docker.io).
 *
 * Builds use the classic builder (DOCKER_BUILDKIT=0): Debian's docker.io 20.10 ships no buildx
 * plugin, and FROM a locally imported image needs no registry either way.
 */
import { BundleError } from '../bundleError.ts';
import { runChecked, runCommand, type RunOptions } from '../runCommand.ts';

const DOCKER_ENV = { ...process.env, DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' };

function docker(args: string[], opts: RunOptions = {}): Promise<string> {
  return runChecked('docker', args, { env: DOCKER_ENV, ...opts });
}

/** Throws `docker_unavailable` with what to do when the engine cannot be reached. */
export async function assertDockerReachable(): Promise<string> {
  const res = await runCommand('docker', ['version', '--format', '{{.Server.Version}}'], { env: DOCKER_ENV });
  if (res.missing) throw new BundleError('docker_unavailable', 'docker CLI not usable: docker is not installed (not found on PATH); install it (apt-get install docker.io) and run again');
  if (res.code !== 0) {
    throw new BundleError(
      'docker_unavailable',
      `docker engine not reachable (${res.stderr.trim().split('\n')[0] ?? 'no answer'}): start it (systemctl start docker, or nohup dockerd --storage-driver overlay2 &) and run again`,
    );
  }
  return res.stdout.trim();
}

export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
  /** Bytes, as `docker images` counts them. */
  size: number;
  user: string;
}

/** The image's id, labels, size and user, or null when no image has that reference. */
export async function inspectImage(ref: string): Promise<ImageInfo | null> {
  const res = await runCommand('docker', ['image', 'inspect', ref], { env: DOCKER_ENV });
  if (res.code !== 0) {
    if (/no such image/i.test(res.stderr)) return null;
    throw new BundleError('command_failed', `docker image inspect ${ref} failed: ${res.stderr.trim()}`);
  }
  const [info] = JSON.parse(res.stdout) as { Id: string; Size: number; Config: { Labels: Record<string, string> | null; User: string } }[];
  if (!info) return null;
  return { id: info.Id, labels: info.Config.Labels ?? {}, size: info.Size, user: info.Config.User };
}

/** `docker import` of a rootfs tarball; returns the new image id. */
export async function importTarball(tarball: string, tag: string, labels: Record<string, string>, logFile: string): Promise<string> {
  const changes = Object.entries(labels).flatMap(([k, v]) => ['--change', `LABEL ${k}=${v}`]);
  const out = await docker(['import', ...changes, '--message', `porten rootfs ${tag}`, tarball, tag], { logFile });
  return out.trim();
}

export interface BuildArgs {
  contextDir: string;
  tag: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  logFile: string;
}

/** `docker build` of a context folder (its Dockerfile); returns the image id. */
export async function buildImage(b: BuildArgs): Promise<string> {
  const args = ['build', '--pull=false', '--force-rm', '--tag', b.tag];
  for (const [k, v] of Object.entries(b.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(b.labels)) args.push('--label', `${k}=${v}`);
  await docker([...args, b.contextDir], { logFile: b.logFile });
  const info = await inspectImage(b.tag);
  if (!info) throw new BundleError('command_failed', `docker build reported success but ${b.tag} does not exist; see ${b.logFile}`);
  return info.id;
}

/** Tags of a repository (e.g. every `porten-rootfs/postgres:*`). */
export async function listTags(repository: string): Promise<string[]> {
  const out = await docker(['images', '--format', '{{.Tag}}', repository]);
  return out.split('\n').filter((t) => t !== '' && t !== '<none>');
}

/** Removes a tag or an untagged image id; one still used by a container or another image stays, and that is not an error. */
export async function removeTag(ref: string): Promise<void> {
  await runCommand('docker', ['rmi', ref], { env: DOCKER_ENV });
}
