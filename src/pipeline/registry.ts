// Processor types by name. Adding a processor = one file in processors/ + one line here + its test.

import type { ProcessorType } from './processor.ts';

const TYPES: ProcessorType[] = [
];

export const PROCESSOR_TYPES: ReadonlyMap<string, ProcessorType> = new Map(TYPES.map((t) => [t.type, t]));
