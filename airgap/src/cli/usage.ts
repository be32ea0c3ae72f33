/** Every help text of `portenctl`, in one place. */
export const USAGE = `usage: portenctl <command>

commands:
  airgap …     offline bundles: keygen, create, verify, inspect, install (portenctl airgap --help)
  --version    print the version`;

export const AIRGAP_USAGE = `usage: portenctl airgap <command> [options]

  keygen -o <name>                      write <name>.key (ed25519 private, 0600) and <name>.pub
  create --release <dir> --key <private> -o <bundle> [--models <gguf|id=gguf>…]
         [--images hub,agent,…] [--compose <dir>] [--split <size>] [--created <ISO date|epoch>]
         [--expires-in-days <n>] [--min-upgrade-from <version>] [--models-only]
                                        make a signed bundle (connected side)
  verify <bundle|first part> --pubkey <file> [--dir <site>] [--allow-downgrade] [--json]
                                        check a bundle fully offline; print the verification report
  inspect <bundle|first part> [--json]  what a bundle holds, without installing
  install <bundle|first part> --pubkey <file> [--dir <site>] [--project <name>] [--port <n>]
         [--bind <address>] [--allow-downgrade]
                                        verify, preflight, load images, start, import models

The site folder defaults to PORTEN_SITE_DIR, else /var/lib/porten-site. --created defaults to
SOURCE_DATE_EPOCH, else the release's commit time. See docs/airgap.md.`;
