import type { KeyPolicy, TrustClass } from '../policy/index.ts';

export interface Org {
  id: string;
  name: string;
  created_at: string;
}

export type AdminRole = 'admin' | 'operator' | 'auditor';

export interface AdminToken {
  id: string;
  name: string;
  role: AdminRole;
  created_at: string;
  revoked_at: string | null;
}

export interface ApiKey extends KeyPolicy {
  id: string;
  org_id: string;
  name: string;
  /** The first characters of the secret, to recognise a key in lists without revealing it. */
  prefix: string;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}

export interface NodeRecord {
  id: string;
  org_id: string;
  name: string;
  region: string;
  trust_class: TrustClass;
  status: 'approved' | 'revoked';
  inventory: Record<string, unknown>;
  approved_by: string;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}

export interface Enrollment {
  id: string;
  user_code: string;
  name: string;
  inventory: Record<string, unknown>;
  status: 'pending' | 'approved' | 'denied' | 'completed';
  node_id: string | null;
  created_at: string;
  expires_at: string;
}

export const MODEL_CAPABILITIES = ['chat', 'completions', 'embeddings', 'tools', 'json', 'vision'] as const;
export type ModelCapability = (typeof MODEL_CAPABILITIES)[number];

export interface CatalogModel {
  id: string;
  format: 'gguf' | 'external';
  sha256: string | null;
  size_bytes: number | null;
  context_length: number;
  capabilities: ModelCapability[];
  memory_mb: number;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}
