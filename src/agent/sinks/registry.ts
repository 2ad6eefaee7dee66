// Sink types by name. Adding a destination = one file here + one line below + its test.

import type { SinkType } from './sink.ts';
import { sightlineSinkType } from './sightline-sink.ts';
import { lokiSinkType } from './loki-sink.ts';
import { elasticsearchSinkType } from './elasticsearch-sink.ts';
import { httpSinkType } from './http-sink.ts';
import { fileSinkType } from './file-sink.ts';
import { stdoutSinkType } from './stdout-sink.ts';

export const SINK_TYPES: ReadonlyMap<string, SinkType> = new Map(
  [sightlineSinkType, lokiSinkType, elasticsearchSinkType, httpSinkType, fileSinkType, stdoutSinkType].map((t) => [t.type, t]),
);
