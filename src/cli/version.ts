// The version Sightline reports (CLI --version, build info endpoint).
export const SIGHTLINE_VERSION = '0.1.0';
