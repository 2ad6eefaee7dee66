// Block metadata used without reading rows: the bound that the newest (oldest) `limit` rows cannot cross, and
// block-level needle pruning over a stream's blocks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_ROWS, StreamBlocks, limitBound, type BlockExtent } from '../../src/store/block-index.ts';
import { needleRequirements } from '../../src/store/token-index.ts';

const b = (rows: number, minTs: number, maxTs: number): BlockExtent => ({ rows, minTs: BigInt(minTs), maxTs: BigInt(maxTs) });

test('limitBound: the newest rows are found among blocks wholly after the bound', () => {
  const blocks = [b(10, 0, 100), b(5, 90, 200), b(5, 150, 160), b(3, 300, 400)];
  // backward, limit 8: blocks by oldest row, newest first: [300..400] 3 rows, [150..160] 5 rows → 8 rows from 150 on
  assert.equal(limitBound(blocks, 0n, 1000n, 8, 'backward'), 150n);
  assert.equal(limitBound(blocks, 0n, 1000n, 3, 'backward'), 300n);
  assert.equal(limitBound(blocks, 0n, 1000n, 9, 'backward'), 90n);
  assert.equal(limitBound(blocks, 0n, 1000n, 24, 'backward'), undefined, 'not enough rows');
  // blocks straddling the range edge cannot be counted
  assert.equal(limitBound(blocks, 0n, 350n, 3, 'backward'), 150n);
  // forward, limit 12: by newest row, oldest first: [0..100] 10, [150..160] 5 → bound 160
  assert.equal(limitBound(blocks, 0n, 1000n, 12, 'forward'), 160n);
  assert.equal(limitBound(blocks, 0n, 1000n, 10, 'forward'), 100n);
});

test('limitBound never cuts off one of the true newest rows (randomized against brute force)', () => {
  let seed = 11;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (let round = 0; round < 200; round++) {
    const rows: number[] = [];
    const blocks: BlockExtent[] = [];
    for (let k = 0; k < 1 + rand(8); k++) {
      const ts = Array.from({ length: 1 + rand(20) }, () => rand(1000));
      rows.push(...ts);
      blocks.push(b(ts.length, Math.min(...ts), Math.max(...ts)));
    }
    const from = rand(300);
    const to = 700 + rand(300);
    const inRange = rows.filter((t) => t >= from && t < to).sort((x, y) => y - x);
    const limit = 1 + rand(30);
    const bound = limitBound(blocks, BigInt(from), BigInt(to), limit, 'backward');
    if (bound === undefined) continue;
    const newest = inRange.slice(0, limit);
    assert.ok(newest.length === limit && newest.every((t) => BigInt(t) >= bound), `round ${round}: bound ${bound} cuts into the newest ${limit}`);
  }
});

test('a stream is cut into blocks; only blocks that may hold the needle match', () => {
  const s = new StreamBlocks(7);
  for (let i = 0; i < BLOCK_ROWS * 2 + 10; i++) s.addLine(i === BLOCK_ROWS + 5 ? 'a rare marmalade event' : `common line ${i % 50}`, BigInt(i));
  const built = s.build();
  assert.equal(built.length, 3);
  assert.deepEqual(built.map((x) => x.rows), [BLOCK_ROWS, BLOCK_ROWS, 10]);
  assert.deepEqual(s.extents().map((e) => [e.minTs, e.maxTs]), [[0n, BigInt(BLOCK_ROWS - 1)], [BigInt(BLOCK_ROWS), BigInt(2 * BLOCK_ROWS - 1)], [BigInt(2 * BLOCK_ROWS), BigInt(2 * BLOCK_ROWS + 9)]]);
  const rare = [[needleRequirements('marmalade')]];
  assert.equal(s.mayMatch(0n, BigInt(3 * BLOCK_ROWS), rare), true);
  assert.equal(s.mayMatch(0n, BigInt(BLOCK_ROWS), rare), false, 'the first block cannot hold it');
  assert.equal(s.mayMatch(BigInt(2 * BLOCK_ROWS), BigInt(3 * BLOCK_ROWS), rare), false, 'nor the open block');
});
