export { BuiltinEngine, type BuiltinEngineOptions } from './builtinEngine.ts';
