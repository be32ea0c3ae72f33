export { OllamaEngine, type OllamaEngineOptions } from './ollamaEngine.ts';
