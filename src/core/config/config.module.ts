import type { AppConfig } from './env.schema.js';

/** Injection token for the parsed configuration; `process.env` is read only by `parseEnv`, once, at boot. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export type { AppConfig };
