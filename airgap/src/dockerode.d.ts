/**
 * The part of dockerode (no bundled types; @types/dockerode is not a dependency) that
 * dockerEngine.ts uses — the one seam through which airgap reaches the Docker engine.
 */
declare module 'dockerode' {
  import type { Readable } from 'node:stream';

  interface ImageInspect {
    Id: string;
    RepoTags: string[] | null;
    Size: number;
    RootFS: { Type: string; Layers?: string[] };
  }
  interface DockerInfo {
    DockerRootDir: string;
    ServerVersion: string;
    NCPU: number;
    MemTotal: number;
  }
  interface Image {
    inspect(): Promise<ImageInspect>;
    get(): Promise<Readable>;
    remove(opts?: { force?: boolean; noprune?: boolean }): Promise<unknown>;
    tag(opts: { repo: string; tag: string }): Promise<unknown>;
  }
  interface Modem {
    followProgress(stream: Readable, onFinished: (err: Error | null, output: unknown[]) => void, onProgress?: (event: unknown) => void): void;
  }
  class Docker {
    constructor(opts?: { socketPath?: string; host?: string; port?: number; protocol?: 'http' | 'https' });
    modem: Modem;
    ping(): Promise<unknown>;
    info(): Promise<DockerInfo>;
    getImage(name: string): Image;
    loadImage(file: Readable | NodeJS.ReadableStream, opts?: { quiet?: boolean }): Promise<Readable>;
  }
  export default Docker;
}
