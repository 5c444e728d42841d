/** Where the hub writes what an operator should know. `console` fits. */
export interface HubLogger {
  /** Something an operator should look at; the hub goes on. */
  warn(message: string, ...details: unknown[]): void;
  /** Something failed; the hub goes on. */
  error(message: string, ...details: unknown[]): void;
}
