// Values the global setup hands to every test file (vitest provide/inject).
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    mongoUri: string;
    workflowBundlePath: string;
    tmpDir: string;
  }
}

export {};
