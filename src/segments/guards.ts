/**
 * Guards (docs/design.md#segment-files) protect a nightly job from a broken export: a segment that suddenly has too
 * few or too many rows, or changed by more than `max_change` since the previous run's manifest,
 * stops the build before any file is replaced.
 */
import type { SegmentGuard } from "./definition.js";

export interface GuardInput {
  id: string;
  guard: SegmentGuard;
  written: number;
  /** Rows written for this segment by the previous run, if the previous manifest has it. */
  previous?: number;
}

export interface GuardTrip {
  id: string;
  rule: "min" | "max" | "max_change";
  message: string;
}

function fmt(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function checkGuards(inputs: readonly GuardInput[]): GuardTrip[] {
  const trips: GuardTrip[] = [];
  for (const { id, guard, written, previous } of inputs) {
    if (guard.min !== undefined && written < guard.min) {
      trips.push({
        id,
        rule: "min",
        message: `${id}: ${fmt(written)} rows, below its guard min ${fmt(guard.min)}`,
      });
    }
    if (guard.max !== undefined && written > guard.max) {
      trips.push({
        id,
        rule: "max",
        message: `${id}: ${fmt(written)} rows, above its guard max ${fmt(guard.max)}`,
      });
    }
    // A change from zero has no relative size; min and max cover that case.
    if (guard.maxChange !== undefined && previous !== undefined && previous > 0) {
      const change = (written - previous) / previous;
      if (Math.abs(change) > guard.maxChange + 1e-12) {
        const sign = change > 0 ? "+" : "−";
        trips.push({
          id,
          rule: "max_change",
          message: `${id}: ${fmt(written)} rows vs ${fmt(previous)} in the previous run (${sign}${(Math.abs(change) * 100).toFixed(1)}%), beyond its guard max_change ${percent(guard.maxChange)}`,
        });
      }
    }
  }
  return trips;
}

function percent(fraction: number): string {
  const value = Math.round(fraction * 1000) / 10;
  return `${value}%`;
}
