// `regex`: matches the line (or a field) against RE2 patterns with named groups (`(?P<name>…)`, Go/RE2 syntax),
// tried in order; the first match's named groups become fields (groups that did not take part are left out).
// No pattern matching marks the event `RegexpParserErr`.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { consumeSource, markError, PARSER_KEYS, readParserIO, sourceText, type ParserIO } from '../parser-io.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';
import { readPatternList } from '../pattern-list.ts';
import { CaptureRegex, compileRe2 } from '../re2-regex.ts';

export const REGEXP_PARSER_ERROR = 'RegexpParserErr';

class RegexParser implements Processor {
  constructor(private readonly io: ParserIO, private readonly regexes: CaptureRegex[]) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    const io = this.io;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const text = sourceText(ev, io);
      if (text === undefined) continue;
      let matched = false;
      for (let r = 0; r < this.regexes.length && !matched; r++) {
        const re = this.regexes[r];
        const m = re.find(text);
        if (m === null) continue;
        matched = true;
        consumeSource(ev, io);
        const groups = re.groups;
        for (let g = 0; g < groups.length; g++) {
          const at = groups[g].index * 2;
          if (m[at] >= 0) ev.fields[io.prefix + groups[g].name] = text.slice(m[at], m[at + 1]);
        }
      }
      if (!matched) markError(ev, REGEXP_PARSER_ERROR, this.regexes.length === 1 ? 'the pattern did not match' : `none of the ${this.regexes.length} patterns matched`);
    }
    return events;
  }
}

export const regexProcessor: ProcessorType = {
  type: 'regex',
  description: 'extract named groups of an RE2 regular expression into fields',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, ...PARSER_KEYS, 'pattern', 'patterns']);
    const regexes = readPatternList(node).map(({ source, node: at }) => {
      const re = new CaptureRegex(compileRe2(at, source));
      if (re.groups.length === 0) at.fail('expected at least one named group (?P<name>…) in the pattern');
      return re;
    });
    return new RegexParser(readParserIO(node), regexes);
  },
};
