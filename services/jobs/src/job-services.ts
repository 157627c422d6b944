/** What the worker hands every job besides the core's `register` (see JobServices). */
declare module '@bullpen/core' {
  interface JobServices {
    /** Where HealthCheckWorker sends its GET. */
    apiHealthUrl: string;
  }
}

export {};
