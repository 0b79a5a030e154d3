/** The server's operational log: messages for the operator, never secrets. */
export type Log = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
