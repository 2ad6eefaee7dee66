// Processor types by name. Adding a processor = one file in processors/ + one line here + its test.

import type { ProcessorType } from './processor.ts';
import { convertProcessor } from './processors/convert.ts';
import { criProcessor } from './processors/cri.ts';
import { csvProcessor } from './processors/csv.ts';
import { dockerProcessor } from './processors/docker.ts';
import { grokProcessor } from './processors/grok.ts';
import { jsonProcessor } from './processors/json.ts';
import { kvProcessor } from './processors/kv.ts';
import { logfmtProcessor } from './processors/logfmt.ts';
import { multilineProcessor } from './processors/multiline.ts';
import { normalizeProcessor } from './processors/normalize.ts';
import { regexProcessor } from './processors/regex.ts';
import { dedupeProcessor } from './processors/dedupe.ts';
import { dropProcessor } from './processors/drop.ts';
import { promoteProcessor } from './processors/promote.ts';
import { rateLimitProcessor } from './processors/rate-limit.ts';
import { removeProcessor } from './processors/remove.ts';
import { routeProcessor } from './processors/route.ts';
import { sampleProcessor } from './processors/sample.ts';
import { setProcessor } from './processors/set.ts';
import { geoipProcessor } from './processors/geoip.ts';
import { hostProcessor } from './processors/host.ts';
import { kubernetesProcessor } from './processors/kubernetes.ts';
import { lookupProcessor } from './processors/lookup.ts';
import { maskProcessor } from './processors/mask.ts';
import { threatIntelProcessor } from './processors/threat-intel.ts';

const TYPES: ProcessorType[] = [
  // parse (container formats and multiline joining first, then line parsers) and normalize
  criProcessor,
  dockerProcessor,
  multilineProcessor,
  jsonProcessor,
  logfmtProcessor,
  kvProcessor,
  csvProcessor,
  regexProcessor,
  grokProcessor,
  normalizeProcessor,
  convertProcessor,
  // control (filter, route, set, promote)
  dropProcessor,
  sampleProcessor,
  rateLimitProcessor,
  dedupeProcessor,
  routeProcessor,
  setProcessor,
  removeProcessor,
  promoteProcessor,
  // enrich and mask
  geoipProcessor,
  hostProcessor,
  kubernetesProcessor,
  lookupProcessor,
  threatIntelProcessor,
  maskProcessor,
];

export const PROCESSOR_TYPES: ReadonlyMap<string, ProcessorType> = new Map(TYPES.map((t) => [t.type, t]));
