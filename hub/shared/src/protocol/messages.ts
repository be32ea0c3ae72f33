/**
 * The hub ↔ node tunnel protocol: JSON text frames over one WebSocket per node, opened by the node
 * (outbound, so it works behind NAT) at TUNNEL_PATH with `Authorization: Bearer <node credential>`.
 * Imported by the hub and the agent; never duplicated.
 *
 * Requests are multiplexed by `id`. A stream is: hub `request` → node `delta`* | `result` → `done`,
 * or → `error`. The first `delta`/`result`/`done` is the stream's "first byte": before it the hub may
 * retry elsewhere, after it a failure ends the client's stream with an error. Back-pressure is per
 * stream: the hub sends `pause` when the client is slow and `resume` when it drained.
 *
 * Nodes never report region or trust class: those are the operator's, sent to the node in `welcome`
 * (and in `assignment` when an operator changes them) only so it can show them. Unknown fields in
 * node messages are ignored, never trusted. Each side validates what it receives:
 * parseNodeMessage.ts on the hub, parseHubMessage.ts on the agent.
 */

export const PROTOCOL_VERSION = 1;
export const TUNNEL_PATH = '/v1/nodes/tunnel';

export type EngineKind = 'builtin' | 'ollama' | 'openai';
export type RequestKind = 'chat' | 'completion' | 'embedding';
export type EngineCapability = 'chat' | 'completions' | 'embeddings' | 'tools';

export interface Capacity {
  /** Memory the node lets models use (PORTEN_VRAM_BUDGET_MB or detected). */
  vram_total_mb: number;
  vram_free_mb: number;
  /** Requests the node runs at once; more are queued on the node. */
  max_concurrency: number;
}

// ---- node → hub ------------------------------------------------------------------------------

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  agent_version: string;
  engine: { kind: EngineKind; capabilities: EngineCapability[] };
  capacity: Capacity;
  loaded_models: string[];
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  capacity: Capacity;
  loaded_models: string[];
  in_flight: number;
  queue_depth: number;
}

export type LoadPhase = 'downloading' | 'loading' | 'ready' | 'failed';

export interface LoadProgressMessage {
  type: 'load_progress';
  model: string;
  phase: LoadPhase;
  done_bytes: number;
  total_bytes: number;
  error?: string;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface DeltaMessage {
  type: 'delta';
  id: string;
  /** Chat: assistant content; completion: text. */
  content?: string;
  tool_calls?: ToolCallDelta[];
}

export interface ResultMessage {
  type: 'result';
  id: string;
  /** Embeddings: one vector per input, in input order. */
  embeddings: number[][];
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface DoneMessage {
  type: 'done';
  id: string;
  finish_reason: FinishReason;
  usage: Usage;
}

/**
 * The stream error code of a node whose request queue is full. The hub tries another compliant node;
 * when every one it tried was full the client gets `429 rate_limit_exceeded`, not an outage.
 */
export const NODE_BUSY = 'node_busy';

export interface StreamErrorMessage {
  type: 'error';
  id: string;
  code: string;
  message: string;
  /** True when nothing was produced and another node may try (e.g. engine not ready, overloaded). */
  retryable: boolean;
}

export type NodeMessage =
  | HelloMessage
  | HeartbeatMessage
  | LoadProgressMessage
  | DeltaMessage
  | ResultMessage
  | DoneMessage
  | StreamErrorMessage;

// ---- hub → node ------------------------------------------------------------------------------

export interface WelcomeMessage {
  type: 'welcome';
  node_id: string;
  name: string;
  org_id: string;
  region: string;
  trust_class: string;
  heartbeat_interval_ms: number;
}

/**
 * The operator changed the node's name, region or trust class (admin `PATCH /nodes/{id}`): the
 * values now in the hub's records, sent by the replica holding the tunnel so `porten status` is
 * current without a reconnect. Informational, like `welcome`: routing reads the hub's own records,
 * never what a node was told. Agents that predate it ignore it as an unknown frame.
 */
export interface AssignmentMessage {
  type: 'assignment';
  name: string;
  region: string;
  trust_class: string;
}

/** Sampling settings shared by chat and text completions, passed to the engine as given. */
export interface SamplingParams {
  temperature?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface ChatParams extends SamplingParams {
  messages: unknown[];
  max_tokens?: number;
  response_format?: unknown;
  tools?: unknown[];
  tool_choice?: unknown;
}

export interface CompletionParams extends SamplingParams {
  prompt: string;
  max_tokens?: number;
}

export interface EmbeddingParams {
  input: string[];
}

export type RequestMessage =
  | { type: 'request'; id: string; kind: 'chat'; model: string; params: ChatParams }
  | { type: 'request'; id: string; kind: 'completion'; model: string; params: CompletionParams }
  | { type: 'request'; id: string; kind: 'embedding'; model: string; params: EmbeddingParams };

export interface CancelMessage {
  type: 'cancel';
  id: string;
}

export interface FlowMessage {
  type: 'pause' | 'resume';
  id: string;
}

export interface LoadMessage {
  type: 'load';
  model: string;
  sha256: string | null;
  size_bytes: number | null;
  /**
   * Where to fetch the weights: the hub's model mirror (authenticated with the node credential), as
   * a path the node resolves against its own hub URL; the node refuses any other origin.
   */
  url: string | null;
}

export interface UnloadMessage {
  type: 'unload';
  model: string;
}

export type HubMessage = WelcomeMessage | AssignmentMessage | RequestMessage | CancelMessage | FlowMessage | LoadMessage | UnloadMessage;
