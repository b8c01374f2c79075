// Worker threads do not inherit tsx's loader hooks, so this plain-JS entry loads the TypeScript worker through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./grad-worker.ts', import.meta.url);
