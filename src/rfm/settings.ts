/**
 * The RFM settings a run uses: fixed cut points from `audience.yaml` (any dimension left out is
 * computed from the buyers' quintiles) and the map from (R, F) cells to segment names.
 */
import { DEFAULT_RFM_MAP, type RfmMap } from "./segment-map.js";

export interface RfmCutPoints {
  recency?: number[];
  frequency?: number[];
  monetary?: number[];
}

export interface RfmSettings {
  fixed: RfmCutPoints;
  map: RfmMap;
  /** Whether the map is the user's (validate reports it was checked). */
  custom: boolean;
}

export const DEFAULT_RFM: RfmSettings = { fixed: {}, map: DEFAULT_RFM_MAP, custom: false };
