/**
 * `porten-hub import-model <file.gguf> --id <id> [options]`: imports a GGUF file into the mirror and
 * the catalog straight from the hub's machine — for air-gapped installs and files too large to upload
 * over HTTP. Writes through the same module as PUT /admin/v1/models/{id}/weights (importModel.ts),
 * with the same checks and messages. Loaded by main.ts only when this command runs.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { modelId } from '../admin/requestBodies.ts';
import type { HubConfig } from '../config/index.ts';
import { assertSchemaCurrent } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { HubError } from '../errors/index.ts';
import { EventBus, createRedis } from '../events/index.ts';
import { BlobStore } from './blobStore.ts';
import { parseImportFields } from './importFields.ts';
import { importModel } from './importModel.ts';

export const IMPORT_MODEL_USAGE =
  'usage: porten-hub import-model <file.gguf> --id <id> [--sha256 HEX] [--capabilities chat,completions] [--context-length N] [--memory-mb N] [--enabled true|false]';

/** Flag → the import option it sets (the admin API's query parameter of the same meaning). */
const FLAGS = {
  id: 'id',
  sha256: 'sha256',
  capabilities: 'capabilities',
  'context-length': 'context_length',
  'memory-mb': 'memory_mb',
  enabled: 'enabled',
} as const;

/** Reads large files in big pieces: the hash and the write dominate, not the number of reads. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Runs the command. Returns the exit code: 0 done, 2 bad usage (message printed). Other failures throw
 * (HubError: one line from main.ts, exit 1). `loadConfig` is called only once the arguments are
 * valid, so a typo is reported even on a machine without the hub's environment.
 */
export async function importModelCommand(argv: string[], loadConfig: () => HubConfig): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }])),
    });
  } catch (err) {
    return usage((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'name the GGUF file to import' : `one file at a time (got ${positionals.length})`);
  const file = positionals[0]!;
  if (values.id === undefined) return usage('--id is required: the catalog id clients will pass as `model`');

  let id: string;
  let fields;
  try {
    id = modelId().parse(values.id, 'id');
    const options: Record<string, unknown> = {};
    for (const [flag, name] of Object.entries(FLAGS)) if (name !== 'id' && values[flag] !== undefined) options[name] = values[flag];
    fields = parseImportFields(options);
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    const flag = Object.entries(FLAGS).find(([, name]) => err.param?.startsWith(name))?.[0];
    return usage(flag ? `--${flag}: ${err.message}` : err.message);
  }

  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new HubError('invalid_request_error', `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  if (!info.isFile()) throw new HubError('invalid_request_error', `${file} is not a regular file`);

  const config = loadConfig();
  const pool = createPool(config.databaseUrl, 2);
  const redis = createRedis(config.redisUrl);
  // Only publishes (never subscribes): running hubs drop their cached catalog at once. Without Redis
  // they see the new entry when their cache expires (seconds).
  const events = new EventBus(redis, config.redisUrl, config.redisKeyPrefix, `import-model-${process.pid}`);
  try {
    await assertSchemaCurrent(pool);
    const blobs = new BlobStore(config.blobDir);
    await blobs.prepare();
    await redis.connect().catch(() => undefined);
    const source = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
    const r = await importModel({ pool, blobs, maxBytes: config.maxModelBytes, publish: (e) => events.publish(e) }, id, source, fields);
    console.log(
      `porten-hub: imported ${r.model.id}: sha256 ${r.model.sha256}, ${r.model.size_bytes} bytes ` +
        `(${r.blobCreated ? 'stored in' : 'already in'} the mirror at ${config.blobDir}); catalog entry ${r.entryCreated ? 'created' : 'updated'}`,
    );
    return 0;
  } finally {
    await events.stop();
    redis.disconnect();
    await pool.end();
  }
}

function usage(problem: string): number {
  console.error(`porten-hub import-model: ${problem}; ${IMPORT_MODEL_USAGE}`);
  return 2;
}
