import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { AirgapError } from './airgapError.ts';

export interface ImageFacts {
  id: string;
  layers: string[];
  size: number;
}

/**
 * The Docker engine as airgap uses it, through dockerode (the Engine API over the unix socket):
 * save an image, load a saved tar, look an image up. `host` is DOCKER_HOST as the main module read
 * it (`unix:///path` or `tcp://host:port`); undefined is the local default socket.
 */
export class DockerEngine {
  private readonly docker: Docker;
  readonly where: string;

  constructor(host?: string) {
    this.where = host ?? 'unix:///var/run/docker.sock';
    if (host?.startsWith('tcp://')) {
      const url = new URL(host.replace(/^tcp:/, 'http:'));
      this.docker = new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
    } else {
      this.docker = new Docker({ socketPath: (host ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '') });
    }
  }

  /** Throws `docker_unavailable` saying how to start the engine when it does not answer. */
  async info(): Promise<{ rootDir: string; version: string; cpus: number; memory: number }> {
    try {
      const i = await this.docker.info();
      return { rootDir: i.DockerRootDir, version: i.ServerVersion, cpus: i.NCPU, memory: i.MemTotal };
    } catch (err) {
      throw new AirgapError('docker_unavailable', `the Docker engine at ${this.where} does not answer (${(err as Error).message}); install docker.io and start it (systemctl start docker), or set DOCKER_HOST`);
    }
  }

  /** The image's id, layer digests and size, or undefined when the engine does not hold it. */
  async image(ref: string): Promise<ImageFacts | undefined> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      return { id: i.Id, layers: i.RootFS.Layers ?? [], size: i.Size };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw new AirgapError('docker_unavailable', `cannot inspect ${ref} in the Docker engine at ${this.where} (${(err as Error).message})`);
    }
  }

  /** `docker save` of one image, as a stream. */
  save(ref: string): Promise<Readable> {
    return this.docker.getImage(ref).get();
  }

  /** `docker load` of a saved tar; resolves once the engine has read and stored all of it. */
  async load(tar: Readable | AsyncIterable<Buffer>): Promise<void> {
    const { Readable: R } = await import('node:stream');
    const source = tar instanceof R ? tar : R.from(tar);
    const progress = await this.docker.loadImage(source, { quiet: true });
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(progress, (err, output) => {
        const failed = (output as { error?: string; errorDetail?: { message?: string } }[]).find((o) => o.error);
        if (err || failed) reject(new AirgapError('install_failed', `docker load failed: ${err?.message ?? failed?.errorDetail?.message ?? failed?.error}`));
        else resolve();
      });
    });
  }

  /** Tags an image (by id) as `repo:tag`, moving the tag if another image held it. */
  async tag(id: string, repo: string, tag: string): Promise<void> {
    await this.docker.getImage(id).tag({ repo, tag });
  }

  async removeImage(ref: string): Promise<void> {
    await this.docker.getImage(ref).remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }
}
