/**
 * Semantic colours. Call sites say `theme.error(...)`, never raw chalk, and colour is off unless
 * the stream is a terminal and NO_COLOR is unset (https://no-color.org).
 */
import { Chalk, type ChalkInstance } from "chalk";

export interface Theme {
  error: (text: string) => string;
  warning: (text: string) => string;
  success: (text: string) => string;
  muted: (text: string) => string;
  strong: (text: string) => string;
  accent: (text: string) => string;
  code: (text: string) => string;
  /** Background shade for a heat-map cell, `level` from 0 (empty) to 4 (largest). */
  shade: (text: string, level: number) => string;
  enabled: boolean;
}

export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return isTTY && env.TERM !== "dumb";
}

const SHADES = [236, 24, 31, 38, 45];

export function createTheme(enabled: boolean): Theme {
  const chalk: ChalkInstance = new Chalk({ level: enabled ? 2 : 0 });
  return {
    error: (t) => chalk.red.bold(t),
    warning: (t) => chalk.yellow(t),
    success: (t) => chalk.green(t),
    muted: (t) => chalk.dim(t),
    strong: (t) => chalk.bold(t),
    accent: (t) => chalk.cyan(t),
    code: (t) => chalk.cyan(t),
    shade: (t, level) => {
      const clamped = Math.max(0, Math.min(SHADES.length - 1, level));
      return chalk.bgAnsi256(SHADES[clamped]).whiteBright(t);
    },
    enabled,
  };
}
