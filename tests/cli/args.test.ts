// The command-line parser shared by spdycat and spdyd: option forms, synonyms, usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs, type OptionSpec } from '../../src/cli/args.js';
import { VERSION_OPTIONS, versionFromFlags } from '../../src/cli/version-flags.js';
import { remoteName } from '../../src/cli/spdycat.js';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../../src/base/constants.js';

const specs: OptionSpec[] = [
  { key: 'verbose', names: ['-v', '--verbose'], help: '' },
  { key: 'multiply', names: ['-m', '--multiply'], takes: 'value', help: '' },
  { key: 'header', names: ['-H', '--header'], takes: 'list', help: '' },
  ...VERSION_OPTIONS,
];

test('values may be attached or separate, short or long; lists collect', () => {
  const a = parseArgs(['-v', '-m3', '--header', 'a: 1', '-H', 'b: 2', 'http://x/', '--multiply=4'], specs);
  assert.ok(a.flags.has('verbose'));
  assert.is(a.values.get('multiply'), '4');
  assert.equal(a.lists.get('header'), ['a: 1', 'b: 2']);
  assert.equal(a.positionals, ['http://x/']);
});

test('-3.1 is an option name, and --spdy3-1 its synonym', () => {
  assert.is(versionFromFlags(parseArgs(['-3.1'], specs)), PROTO_SPDY3_1);
  assert.is(versionFromFlags(parseArgs(['--spdy3-1'], specs)), PROTO_SPDY3_1);
  assert.is(versionFromFlags(parseArgs(['-3'], specs)), PROTO_SPDY3);
  assert.is(versionFromFlags(parseArgs(['-2'], specs)), PROTO_SPDY2);
  assert.is(versionFromFlags(parseArgs([], specs)), undefined);
  assert.throws(() => versionFromFlags(parseArgs(['-2', '-3'], specs)), /at most one/);
});

test('unknown options, missing values and values for flags are usage errors', () => {
  assert.throws(() => parseArgs(['--nope'], specs), /unknown option --nope/);
  assert.throws(() => parseArgs(['-m'], specs), /needs a value/);
  assert.throws(() => parseArgs(['--verbose=yes'], specs), /takes no value/);
  assert.equal(parseArgs(['--', '-v'], specs).positionals, ['-v']);
});

test('-O names a file after the last path segment, index.html for a directory', () => {
  assert.is(remoteName('https://x/a/b.txt?q=1'), 'b.txt');
  assert.is(remoteName('https://x/'), 'index.html');
  assert.is(remoteName('https://x/dir/'), 'index.html');
  assert.is(remoteName('https://x/a%20b'), 'a b');
  assert.is(remoteName('https://x/%zz'), '%zz');
});

test.run();
