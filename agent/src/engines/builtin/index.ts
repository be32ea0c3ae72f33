export { BuiltinEngine, type BuiltinEngineOptions } from './BuiltinEngine.ts';
