export * from './types.ts';
export { inTransaction, type Queryable } from './db.ts';
export * as orgs from './orgsStore.ts';
export * as keys from './keysStore.ts';
export * as adminTokens from './adminTokensStore.ts';
export * as nodes from './nodesStore.ts';
export * as enrollments from './enrollmentsStore.ts';
export * as models from './modelsStore.ts';
export { isUuid } from './orgsStore.ts';
