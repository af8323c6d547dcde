// Values the global setup hands to every test file (vitest provide/inject).
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** The run's PostgreSQL (maintenance database URL). */
    postgresUrl: string;
    /** The run's FerretDB, for the MongoDB backend's tests. */
    mongoUri: string;
    workflowBundlePath: string;
    tmpDir: string;
  }
}

export {};
