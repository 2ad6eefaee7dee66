// label_replace's replacement templates, expanded as Go's regexp.Expand does (cases from Go's documentation:
// `$1x` names group "1x", `${1}x` is group 1 then "x", `$$` is a dollar; malformed references stay literal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand } from '../../src/query/label-replace.ts';

const groups: Record<string, string> = { 0: 'abc', 1: 'a', 2: 'b', name: 'N', 'ü_1': 'U' };
const lookup = (ref: string): string => groups[ref] ?? '';

test('expand: Go regexp.Expand semantics', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['$1', 'a'],
    ['${1}', 'a'],
    ['$1x', ''], // the group named "1x" does not exist
    ['${1}x', 'ax'],
    ['$1-$2', 'a-b'],
    ['$0', 'abc'],
    ['$name/${name}', 'N/N'],
    ['$ü_1', 'U'], // names are letters, digits and _ in any script
    ['$$1', '$1'],
    ['a$$', 'a$'],
    ['$', '$'],
    ['x$', 'x$'],
    ['$-1', '$-1'],
    ['${1', '${1'],
    ['${}', '${}'],
    ['$9', ''], // a group that does not exist is empty
  ];
  for (const [template, want] of cases) assert.equal(expand(template, lookup), want, template);
});
