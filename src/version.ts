/** The tool version, written into manifests. Kept in step with package.json by a test. */
export const VERSION = "0.1.0";
