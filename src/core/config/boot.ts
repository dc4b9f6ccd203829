import { ConfigError, parseEnv } from './env.schema.js';
import type { AppConfig } from './env.schema.js';

/** Reads the process environment once at boot; a bad value ends the process with the message (exit code 78, EX_CONFIG). */
export function loadConfigOrExit(say: (line: string) => void): AppConfig {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      say(error.message);
      process.exit(78);
    }
    throw error;
  }
}
