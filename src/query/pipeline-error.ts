// Loki's rule that metric queries cannot contain errors: a sample still carrying `__error__` when it reaches a range
// aggregation fails the whole query (400) with Loki's message, which tells the user how to filter the error out.
import type { Labels } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import { QueryError } from './query-error.ts';
import { ERROR_LABEL } from './stages/pipeline-errors.ts';

export class PipelineError extends QueryError {
  constructor(readonly series: Labels) {
    const kind = series[ERROR_LABEL] ?? '';
    super(
      `pipeline error: '${kind}' for series: '${labelsToString(series)}'.\n` +
        `Use a label filter to intentionally skip this error. (e.g | __error__!="${kind}").\n` +
        'To skip all potential errors you can match empty errors.(e.g __error__="")\n' +
        'The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n',
    );
  }
}
