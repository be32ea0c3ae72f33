export { createConsoleRouter } from './consoleRouter.ts';
export { renderConsolePage, setConsoleHeaders } from './consoleLayout.ts';
