// The Go text/template subset of line_format / label_format: syntax, pipelines, conditionals, Go value printing,
// the documented template functions (examples from Loki's template_functions docs), and error messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { run } from './stage-harness.ts';

const LABELS = { a: 'x', path: '/api/hello world', d: '3000', n: '7', empty: '', level: 'error', err: 'ErrTimeout: x', ip: ' 10.0.0.1 ' };

/** Renders `template` with line_format over a row carrying LABELS and the harness timestamp. */
function render(template: string, labels: Record<string, string> = LABELS, line = 'the line'): { line: string; error?: string } {
  const out = run([{ kind: 'line_format', template }], line, labels);
  return out.labels.__error__ === undefined ? { line: out.line } : { line: out.line, error: out.labels.__error_details__ };
}

describe('template syntax', () => {
  const cases: [string, string, string][] = [
    ['plain text', 'no actions here', 'no actions here'],
    ['field', '{{.a}}', 'x'],
    ['field with spaces', '{{ .a }}', 'x'],
    ['missing label renders empty', '[{{ .missing }}]', '[]'],
    ['dot is the label map', '{{ . }}', 'map[a:x b:y]'],
    ['trim markers', 'a  {{- .a -}}  b', 'axb'],
    ['trim across newlines', 'a\n\t{{- .a }}\n', 'ax\n'],
    ['comment', 'a{{/* ignored */}}b', 'ab'],
    ['trimmed comment', 'a {{- /* c */ -}} b', 'ab'],
    ['raw string', '{{ `a\\n` }}', 'a\\n'],
    ['interpreted string escapes', '{{ "t\\tq\\"\\u00e9" }}', 't\tq"é'],
    ['int constant', '{{ 42 }}', '42'],
    ['negative constant', '{{ -7 }}', '-7'],
    ['hex constant', '{{ 0x1F }}', '31'],
    ['char constant', "{{ 'a' }}", '97'],
    ['float constant', '{{ 1.5 }}', '1.5'],
    ['float constant printed like Go: exponent form from 1e+06', '{{ 1e6 }}', '1e+06'],
    ['float 100000.0', '{{ 100000.0 }}', '100000'],
    ['small float', '{{ 0.00001 }}', '1e-05'],
    ['bool constants', '{{ true }} {{ false }}', 'true false'],
    ['print of nil', '{{ print nil }}', '<nil>'],
    ['if true', '{{ if .a }}yes{{ end }}', 'yes'],
    ['if empty string is false', '{{ if .empty }}yes{{ else }}no{{ end }}', 'no'],
    ['if missing label is false', '{{ if .missing }}yes{{ else }}no{{ end }}', 'no'],
    ['else if chain', '{{ if eq .level "info" }}I{{ else if eq .level "error" }}E{{ else }}?{{ end }}', 'E'],
    ['docs: if contains / else if / else', '{{ if contains "ErrTimeout" .err }} timeout {{else if contains "he" "hello"}} yes {{else}} no {{end}}', ' timeout '],
    ['docs: and of contains', '{{ if and (contains "he" "hello") (contains "llo" "hello") }} yes {{end}}', ' yes '],
    ['or returns the first true operand', '{{ or .empty .a "z" }}', 'x'],
    ['and returns the first false operand', '{{ and .a .empty "z" }}', ''],
    ['and short-circuits', '{{ and .empty (div 1 0) }}', ''],
    ['not', '{{ not .empty }}', 'true'],
    ['with sets the dot', '{{ with .a }}<{{ . }}>{{ end }}', '<x>'],
    ['with else', '{{ with .missing }}<{{ . }}>{{ else }}none{{ end }}', 'none'],
    ['nested ifs', '{{ if .a }}{{ if .empty }}1{{ else }}2{{ end }}{{ end }}', '2'],
    ['pipeline passes the value as last argument', '{{ .a | printf "%s-%s" "p" }}', 'p-x'],
    ['docs: replace | trunc | upper', '{{ .path | replace " " "_" | trunc 5 | upper }}', '/API/'],
    ['parenthesized pipeline', '{{ printf "%s" (.a | ToUpper) }}', 'X'],
    ['niladic function as argument', '{{ printf "%s" __line__ }}', 'the line'],
    ['eq with several candidates', '{{ eq .a "y" "x" }}', 'true'],
    ['ne / lt / ge on strings', '{{ ne .a "y" }} {{ lt "a" "b" }} {{ ge "b" "b" }}', 'true true true'],
    ['lt on ints', '{{ lt 2 10 }} {{ gt 2 10 }} {{ le 3 3 }}', 'true false true'],
    ['len counts UTF-8 bytes', '{{ len "héllo" }} {{ len . }}', '6 2'],
    ['index on the label map', '{{ index . "a" }}', 'x'],
  ];
  for (const [name, template, expected] of cases) {
    it(name, () => {
      const small: Record<string, string> = { a: 'x', b: 'y' };
      const labels = name === 'dot is the label map' || name.startsWith('len') || name.startsWith('index') ? small : LABELS;
      assert.deepEqual(render(template, labels), { line: expected });
    });
  }
});

describe('template functions', () => {
  const cases: [string, string, string][] = [
    // strings (Loki docs examples)
    ['ToUpper / ToLower', '{{ .a | ToUpper }}{{ "ABC" | ToLower }}', 'Xabc'],
    ['lower / upper (docs)', '{{ lower "HELLO" }} {{ upper "hello" }}', 'hello HELLO'],
    ['title (docs)', '{{ title "hello world" }}', 'Hello World'],
    ['Title with punctuation', '{{ Title "o\'neil-smith x_y" }}', "O'Neil-Smith X_y"],
    ['trim (docs)', '{{ trim "   hello    " }}|{{ .ip | trim }}', 'hello|10.0.0.1'],
    ['trimAll (docs)', '{{ trimAll "$" "$5.00" }}', '5.00'],
    ['trimPrefix / trimSuffix (docs)', '{{ trimPrefix "-" "-hello" }} {{ trimSuffix "-" "hello-" }}', 'hello hello'],
    ['TrimPrefix / TrimSuffix / TrimSpace (Go argument order)', '{{ TrimPrefix "-hello" "-" }} {{ TrimSuffix "hello-" "-" }} {{ TrimSpace " s " }}', 'hello hello s'],
    ['Trim / TrimLeft / TrimRight cutsets', '{{ Trim "xxaxx" "x" }} {{ TrimLeft "xxaxx" "x" }} {{ TrimRight "xxaxx" "x" }}', 'a axx xxa'],
    ['Replace with a count', '{{ Replace "aaaa" "a" "b" 2 }}', 'bbaa'],
    ['trunc (docs)', '{{ trunc 5 "hello world" }}|{{ trunc -5 "hello world" }}|{{ trunc 50 "hi" }}', 'hello|world|hi'],
    ['substr (docs)', '{{ substr 0 5 "hello world" }}|{{ substr 6 11 "hello world" }}|{{ substr -1 5 "hello world" }}|{{ substr 6 99 "hello world" }}', 'hello|world|hello|world'],
    ['replace (docs)', '{{ replace "hello" "world" "hello world" }}', 'world world'],
    ['replace with empty old inserts everywhere', '{{ replace "" "-" "ab" }}', '-a-b-'],
    ['contains / hasPrefix / hasSuffix', '{{ contains "he" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }} {{ hasSuffix "x" "hello" }}', 'true true true false'],
    ['repeat (docs)', '{{ repeat 3 "hello" }}', 'hellohellohello'],
    ['indent / nindent', '[{{ indent 2 "a\\nb" }}][{{ nindent 2 "a" }}]', '[  a\n  b][\n  a]'],
    ['alignLeft (docs)', '[{{ alignLeft 5 "hello world" }}][{{ alignLeft 5 "hi" }}]', '[hello][hi   ]'],
    ['alignRight (docs)', '[{{ alignRight 5 "hello world" }}][{{ alignRight 5 "hi" }}]', '[world][   hi]'],
    ['default (docs)', '{{ default "-" "" }} {{ default "-" "foo" }} {{ .missing | default "none" }}', '- foo none'],
    ['b64enc / b64dec', '{{ b64enc "héllo" }} {{ "aMOpbGxv" | b64dec }}', 'aMOpbGxv héllo'],
    ['b64dec of invalid input returns the error text (sprig)', '{{ b64dec "abc!" }}', 'illegal base64 data at input byte 3'],
    ['urlencode / urldecode', '{{ urlencode "a b&c=d/é" }} {{ urldecode "a+b%26c%3Dd%2F%C3%A9" }}', 'a+b%26c%3Dd%2F%C3%A9 a b&c=d/é'],
    ['sha256', '{{ sha256 "abc" }}', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    // printf (Go fmt)
    ['printf docs example', '{{ printf "The IP address was %s" "129.168.1.1" }}', 'The IP address was 129.168.1.1'],
    ['printf width and precision (docs)', '{{ printf "%-10.10s|%-5.5s|" "/a/509965767/alternative" "GET" }}', '/a/5099657|GET  |'],
    ['printf %15.15s (docs)', '"|" {{printf "%15.15s" "host.example"}} "|"', '"|"    host.example "|"'],
    ['printf numbers', '{{ printf "%d %5d %-5d| %05d %x %X %o %b %+d" 42 42 42 42 255 255 8 5 3 }}', '42    42 42   | 00042 ff FF 10 101 +3'],
    ['printf floats', '{{ printf "%f %.2f %8.3f %e %g %g %v" 3.14159 3.14159 3.14159 1234.5678 0.000012 100000000.0 2.5 }}', '3.141590 3.14    3.142 1.234568e+03 1.2e-05 1e+08 2.5'],
    ['printf %q %v %t %c %%', '{{ printf "%q %v %t %c %%" "a\\"b" .a true 65 }}', '"a\\"b" x true A %'],
    ['printf wrong verb for a type', '{{ printf "%d|%s|%f" "x" 5 7 }}', '%!d(string=x)|%!s(int=5)|%!f(int=7)'],
    ['printf missing and extra arguments', '{{ printf "%s %s" "a" }}|{{ printf "%s" "a" "b" 3 }}', 'a %!s(MISSING)|a%!(EXTRA string=b, int=3)'],
    ['print and println', '{{ print "a" 1 2 "b" }}|{{ println "a" 1 }}', 'a1 2b|a 1\n'],
    // regular expressions
    ['regexReplaceAll with $1 (docs form)', '{{ regexReplaceAll "(a*)bc" "xaabcx" "${1}a" }}', 'xaaax'],
    ['regexReplaceAll named group', '{{ regexReplaceAll "(?P<k>\\\\w+)=(?P<v>\\\\w+)" "a=1 b=2" "$v:$k" }}', '1:a 2:b'],
    ['regexReplaceAll $1x is the group named 1x (empty)', '{{ regexReplaceAll "(a)" "a" "$1x|${1}x|$$" }}', '|ax|$'],
    ['regexReplaceAll empty matches as Go does', '{{ regexReplaceAll "a*" "baaac" "X" }}', 'XbXcX'],
    ['a piped value is the last argument: here the replacement, not the source', '{{ .a | regexReplaceAll "y" "yyy" }}', 'xxx'],
    ['regexReplaceAllLiteral (docs)', '{{ regexReplaceAllLiteral "(ts=)" "ts=1 ts=2" "timestamp=" }}', 'timestamp=1 timestamp=2'],
    ['regexReplaceAllLiteral does not expand $', '{{ regexReplaceAllLiteral "a" "aa" "$1" }}', '$1$1'],
    ['count (docs)', '{{ count "a|b" "abab" }} {{ count "o" "foo" }} {{ count "x*" "ab" }}', '4 2 3'],
    // math (docs examples)
    ['add / sub / mul / div / mod', '{{ add 3 2 5 }} {{ sub 5 2 }} {{ mul 5 2 3 }} {{ div 10 2 }} {{ mod 10 3 }}', '10 3 30 5 1'],
    ['docs: div of a label', '{{ div .d 1000 }}', '3'],
    ['math on label strings', '{{ add .n 1 }} {{ mul .n .n }} {{ sub .n 10 }}', '8 49 -3'],
    ['integer division truncates toward zero', '{{ div -7 2 }} {{ mod -7 2 }}', '-3 -1'],
    ['int64 overflow wraps like Go', '{{ add 9223372036854775807 1 }}', '-9223372036854775808'],
    ['addf / subf / mulf / divf (docs)', '{{ addf 3.5 2 5 }} {{ subf 5.5 2 1.5 }} {{ mulf 5.5 2 2.5 }} {{ divf 10 2 4 }}', '10.5 2 27.5 1.25'],
    ['addf is decimal-exact', '{{ addf 0.1 0.2 }}', '0.3'],
    ['divf by zero is +Inf', '{{ divf 1 0 }}', '+Inf'],
    ['max / min / maxf / minf (docs)', '{{ max 1 2 3 }} {{ min 1 2 3 }} {{ maxf 1 2.5 3 }} {{ minf 1 2.5 3 }}', '3 1 3 1'],
    ['ceil / floor (docs)', '{{ ceil 123.001 }} {{ floor 123.9999 }}', '124 123'],
    ['round (docs)', '{{ round 123.555555 3 }} {{ round 123.88571428571 5 .2 }}', '123.556 123.88572'],
    ['int / float64 (docs)', '{{ "3" | int }} {{ "3.5" | float64 }} {{ int "0x10" }} {{ int "3.0" }} {{ int "x" }}', '3 3.5 16 3 0'],
    // durations and sizes
    ['duration / duration_seconds', '{{ duration "1m30s" }} {{ .d | printf "%sms" | duration_seconds }}', '90 3'],
    ['bytes', '{{ bytes "2 KB" }} {{ bytes "1KiB" }}', '2000 1024'],
    // line and time
    ['__line__', '{{ __line__ | upper }}', 'THE LINE'],
    ['__timestamp__ prints like Go time.Time', '{{ __timestamp__ }}', '2023-11-14 22:13:20.123456789 +0000 UTC'],
    ['date layouts (docs)', '{{ __timestamp__ | date "2006-01-02T15:04:05.00Z07:00" }}', '2023-11-14T22:13:20.12Z'],
    ['date: names, 12-hour clock, fractions', '{{ date "Mon Jan _2 03:04:05.000 PM MST 2006 (Monday January 002)" __timestamp__ }}', 'Tue Nov 14 10:13:20.123 PM UTC 2023 (Tuesday November 318)'],
    ['date: .999 trims zeros, numeric zones', '{{ date "15:04:05.999999999 -0700 -07:00 Z0700" __timestamp__ }}', '22:13:20.123456789 +0000 +00:00 Z'],
    ['date of unix seconds (sprig)', '{{ date "2006-01-02 15:04" 86400 }}', '1970-01-02 00:00'],
    ['unixEpoch / Millis / Nanos', '{{ __timestamp__ | unixEpoch }} {{ unixEpochMillis __timestamp__ }} {{ unixEpochNanos __timestamp__ }}', '1700000000 1700000000123 1700000000123456789'],
    ['toDate (docs)', '{{ toDate "2006-01-02" "2021-11-02" | unixEpoch }}', '1635811200'],
    ['toDate with zone offset and fraction', '{{ toDate "2006-01-02T15:04:05.999999999Z07:00" "2021-11-02T10:00:00.5+02:00" | unixEpochMillis }}', '1635840000500'],
    ['toDate keeps the parsed offset for printing', '{{ toDate "2006-01-02 15:04 -0700" "2021-11-02 10:00 +0530" }}', '2021-11-02 10:00:00 +0530 +0530'],
    ['toDate of an unparsable value is the zero time (sprig)', '{{ toDate "2006-01-02" "not a date" | unixEpoch }}', '-62135596800'],
    ['toDate month names and 12-hour clock', '{{ toDate "Jan 2, 2006 at 3:04pm" "Feb 3, 2013 at 7:54pm" | unixEpoch }}', '1359921240'],
    ['toDateInZone (docs)', '{{ toDateInZone "2006-01-02" "UTC" "2021-11-02" | unixEpoch }}', '1635811200'],
    ['toDateInZone with an IANA zone', '{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2021-11-02 10:00" | unixEpoch }}', '1635843600'],
    ['unixToTime seconds (docs)', '{{ date "2006-01-02" (unixToTime "1679577215") }}', '2023-03-23'],
    ['unixToTime milliseconds, micro, nano and days', '{{ unixToTime "1679577215123" | unixEpochMillis }} {{ unixToTime "1679577215123456" | unixEpochNanos }} {{ unixToTime "1679577215123456789" | unixEpochNanos }} {{ unixToTime "19486" | unixEpoch }}', '1679577215123 1679577215123456000 1679577215123456789 1683590400'],
  ];
  for (const [name, template, expected] of cases) {
    it(name, () => assert.deepEqual(render(template), { line: expected }));
  }
});

describe('template errors', () => {
  const syntax: [string, string, string][] = [
    ['unknown function', '{{ nosuch .a }}', 'template: line:1:4: function "nosuch" not defined'],
    ['unclosed action', 'a {{ .a ', 'template: line:1:3: unclosed action'],
    ['missing end', '{{ if .a }}x', 'template: line:1:4: unexpected EOF: missing {{end}} for {{if}}'],
    ['stray end', 'x{{ end }}', 'template: line:1:5: unexpected {{end}}'],
    ['stray else', '{{ else }}', 'template: line:1:4: unexpected {{else}}'],
    ['empty action', '{{ }}', 'template: line:1:4: missing value for command'],
    ['empty pipeline stage', '{{ .a | }}', 'template: line:1:9: missing value for command'],
    ['pipe without a command', '{{ | .a }}', 'template: line:1:4: missing command before "|"'],
    ['unterminated string', '{{ "abc }}', 'template: line:1:4: unterminated quoted string'],
    ['bad number', '{{ 12ab }}', 'template: line:1:4: bad number syntax: "12a"'],
    ['undefined variable', '{{ $x }}', 'template: line:1:4: undefined variable "$x"'],
    ['variable out of its scope', '{{ if .a }}{{ $v := 1 }}{{ end }}{{ $v }}', 'template: line:1:37: undefined variable "$v"'],
    ['assigning an undeclared variable', '{{ $y = 1 }}', 'template: line:1:4: undefined variable "$y"'],
    ['define is outside the subset', '{{ define "a" }}{{ end }}', 'template: line:1:4: {{define}} is not supported in LogQL templates'],
    ['constant after a pipe', '{{ .a | "x" }}', 'template: line:1:9: non executable command in pipeline stage 2'],
    ['unclosed paren', '{{ (upper .a }}', 'template: line:1:14: unexpected "}}" in parenthesized pipeline'],
    ['error position on a later line', 'a\nb {{ oops }}', 'template: line:2:6: function "oops" not defined'],
  ];
  for (const [name, template, message] of syntax) {
    it(`rejects at compile time: ${name}`, () => {
      assert.throws(() => compilePipeline([{ kind: 'line_format', template }]), (err: unknown) =>
        err instanceof StageCompileError && err.code === 'invalid_template' && err.message === `stage 1 (line_format): ${message}`);
    });
  }

  const exec: [string, string, string][] = [
    ['division by zero', '{{ div .d 0 }}', 'template: line:1:4: executing "line" at <div .d 0>: error calling div: runtime error: integer divide by zero'],
    ['string where an int is expected', '{{ trunc .n .a }}', 'template: line:1:4: executing "line" at <trunc .n .a>: wrong type for value; expected int; got string'],
    ['int constant where a string is expected', '{{ upper 5 }}', 'template: line:1:4: executing "line" at <upper 5>: expected string; found 5'],
    ['float constant where an int is expected', '{{ repeat 1.5 "a" }}', 'template: line:1:4: executing "line" at <repeat 1.5 "a">: expected integer; found 1.5'],
    ['wrong number of arguments', '{{ upper }}', 'template: line:1:4: executing "line" at <upper>: wrong number of args for upper: want 1 got 0'],
    ['field with arguments', '{{ .a 1 }}', 'template: line:1:4: executing "line" at <.a 1>: a is not a method but has arguments'],
    ['value piped into a field', '{{ .a | .b }}', 'template: line:1:9: executing "line" at <.b>: b is not a method but has arguments'],
    ['argument given to a non-function', '{{ (.a) "z" }}', 'template: line:1:4: executing "line" at <(.a) "z">: can\'t give argument to non-function (.a)'],
    ['field of a string', '{{ .a.b }}', 'template: line:1:4: executing "line" at <.a.b>: can\'t evaluate field b in type string'],
    ['comparison of incompatible types', '{{ eq .n 7 }}', 'template: line:1:4: executing "line" at <eq .n 7>: error calling eq: incompatible types for comparison'],
    ['invalid regex at run time', '{{ regexReplaceAll "(" .a "" }}', 'template: line:1:4: executing "line" at <regexReplaceAll "(" .a "">: error calling regexReplaceAll: error parsing regexp: missing closing ): `(`'],
    ['urldecode of a bad escape', '{{ urldecode "%zz" }}', 'template: line:1:4: executing "line" at <urldecode "%zz">: error calling urldecode: invalid URL escape "%zz"'],
    ['unixEpoch of a string', '{{ unixEpoch .a }}', 'template: line:1:4: executing "line" at <unixEpoch .a>: wrong type for value; expected time.Time; got string'],
    ['substr out of range', '{{ substr 5 2 "abc" }}', 'template: line:1:4: executing "line" at <substr 5 2 "abc">: error calling substr: runtime error: slice bounds out of range [5:2] with length 3'],
    ['negative repeat', '{{ repeat -1 "a" }}', 'template: line:1:4: executing "line" at <repeat -1 "a">: error calling repeat: strings: negative Repeat count'],
    ['error inside a nested pipeline names the inner command', '{{ printf "%d" (div 1 0) }}', 'template: line:1:17: executing "line" at <div 1 0>: error calling div: runtime error: integer divide by zero'],
  ];
  for (const [name, template, details] of exec) {
    it(`fails at run time: ${name}`, () => {
      assert.deepEqual(render(template), { line: 'the line', error: details });
    });
  }
});

describe('variables, range and fromJson', () => {
  const cases: [string, string, string, Record<string, string>?][] = [
    ['declare and use', '{{ $x := .a }}[{{ $x }}]', '[x]'],
    ['assign', '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', '2'],
    ['$ is the root dot inside with', '{{ with .a }}{{ . }}/{{ $.n }}{{ end }}', 'x/7'],
    ['variable field chain over fromJson', '{{ $o := fromJson .j }}{{ $o.a.b }}', 'c', { j: '{"a":{"b":"c"}}' }],
    ['range over an array, dot is the element', '{{ range fromJson .j }}<{{ . }}>{{ end }}', '<1><two><true>', { j: '[1,"two",true]' }],
    ['range with index and element', '{{ range $i, $v := fromJson .j }}{{ $i }}={{ $v }};{{ end }}', '0=a;1=b;', { j: '["a","b"]' }],
    ['range over an object walks sorted keys', '{{ range $k, $v := fromJson .j }}{{ $k }}:{{ $v }} {{ end }}', 'a:2 b:1 ', { j: '{"b":1,"a":2}' }],
    ['range over the label map', '{{ range $k, $v := . }}{{ $k }}{{ end }}', 'ab', { a: '1', b: '2' }],
    ['range over an integer', '{{ range 3 }}{{ . }}{{ end }}', '012'],
    ['range else when empty', '{{ range fromJson .j }}x{{ else }}none{{ end }}', 'none', { j: '[]' }],
    ['docs: one query per element of a JSON array', '{{ range $q := fromJson .queries }} {{ $q.query }} {{ end }}', ' up  down ', { queries: '[{"query":"up"},{"query":"down"}]' }],
    ['fromJson prints like Go (float64 numbers, sorted map keys)', '{{ fromJson .j }}', 'map[a:[1 2.5] b:<nil> c:map[d:true]]', { j: '{"c":{"d":true},"a":[1,2.5],"b":null}' }],
    ['fromJson of something that is not JSON is ""', '[{{ fromJson .j }}]', '[]', { j: 'not json' }],
    ['missing key of a JSON object is nil', '{{ $o := fromJson .j }}{{ $o.x }}', '<no value>', { j: '{}' }],
    ['index and len on JSON values', '{{ index (fromJson .j) 1 }} {{ len (fromJson .j) }}', 'b 3', { j: '["a","b","c"]' }],
  ];
  for (const [name, template, want, labels] of cases) {
    it(name, () => assert.deepEqual(render(template, labels ?? { a: 'x', n: '7' }), { line: want }));
  }

  it('range over a string is an execution error (TemplateFormatErr)', () => {
    const out = render('{{ range .a }}x{{ end }}', { a: 'abc' });
    assert.equal(out.error, 'template: line:1:10: executing "line" at <.a>: range can\'t iterate over abc');
  });
});
