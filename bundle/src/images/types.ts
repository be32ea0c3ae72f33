/** Shapes shared by the image builder's modules (specs, cache keys, rootfs and image builds). */

/**
 * `extract`: the listed packages (and their hard dependencies) are unpacked, none configured — no
 * shell, no dpkg, no apt in the result; for images that only run our own executables.
 * `minbase`: Debian's minimal installable system (Essential + required + apt) plus the listed
 * packages, configured normally; for images that run Debian's servers and a bash entrypoint.
 */
export type RootfsVariant = 'extract' | 'minbase';

/** A user (and same-named group) with a fixed id, created before any package is installed. */
export interface SystemUser {
  name: string;
  id: number;
  home: string;
  shell: string;
}

/** A file from images/ placed into the rootfs before the packages are installed (minbase only). */
export interface PreinstallFile {
  /** Path relative to the images/ folder. */
  source: string;
  /** Absolute path inside the rootfs. */
  target: string;
}

/** One Debian root filesystem, built by mmdebstrap and imported as `porten-rootfs/<name>:<key>`. */
export interface RootfsSpec {
  name: string;
  variant: RootfsVariant;
  /** Debian packages beyond the variant's own set; their hard dependencies come along, recommends do not. */
  include: string[];
  users: SystemUser[];
  preinstallFiles: PreinstallFile[];
  /** Rough cold build time, for the progress line only. */
  expectedSeconds: number;
}

/** A file or folder from dist/ copied into an image's build context. */
export interface DistInput {
  /** Path relative to the dist folder. */
  from: string;
  /** Path relative to the build context. */
  to: string;
  /**
   * `json-without-images`: a JSON file copied with its top-level `images` field emptied. The
   * release manifest gets image ids recorded after the images are built; copying it verbatim into
   * the hub image would change the hub's inputs on every run and never let the cache hold.
   */
  transform?: 'json-without-images';
}

/** One image `porten/<name>:<version>`: a rootfs plus the thin Dockerfile layer in images/<name>/. */
export interface ImageSpec {
  name: string;
  /** Name of the RootfsSpec this image is built FROM. */
  rootfs: string;
  distInputs: DistInput[];
  /** Recorded in the release manifest; false for test-only images. */
  release: boolean;
  /** One line saying what the image is for (progress output, docs). */
  summary: string;
}

export type BuildStatus = 'built' | 'cached';

export interface RootfsResult {
  name: string;
  key: string;
  /** `porten-rootfs/<name>:<key prefix>`. */
  tag: string;
  status: BuildStatus;
  /** Host path of the package list (name TAB version TAB arch lines). */
  packagesFile: string;
}

export interface ImageResult {
  name: string;
  /** `porten/<name>:<version>`. */
  tag: string;
  /** Image id (`sha256:…`). */
  id: string;
  status: BuildStatus;
  /** The cache key recorded as label org.porten.inputs. */
  inputsKey: string;
  release: boolean;
  rootfs: RootfsResult;
  seconds: number;
}
