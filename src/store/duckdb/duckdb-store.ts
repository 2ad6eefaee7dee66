// The embedded store: DuckDB for the catalogue and the hot (recent, WAL-durable) rows, Parquet+zstd parts for
// sealed rows, each part with a token/trigram index. Appends are group-committed: one DuckDB commit (fsync)
// acknowledges every batch that arrived in the same event-loop turn.

import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, readdirSync, readFileSync, rmSync, existsSync, openSync, fsyncSync, closeSync, writeFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IngestBatch } from '../../model/record.ts';
import type { Matcher } from '../../query/ast.ts';
import type { AggregatePlan, AggregateRows, RowChunk, ScanPlan, ScanStats, Selection, StreamInfo } from '../plan.ts';
import { StoreBusyError, type Store } from '../store.ts';
import { StreamRegistry, type RegisteredStream } from '../stream-registry.ts';
import { deserializeIndexes, needleRequirements, serializeIndexes, valueRequirements, type NeedleRequirements, type StreamIndex } from '../token-index.ts';
import { StreamBlocks, blockMatches, limitBound, type BlockExtent } from '../block-index.ts';
import { fieldPredicate, sqlString, unionSelect, type Source } from './sql.ts';

export interface DuckDbStoreOptions {
  dataDir: string;
  /** DuckDB's own memory budget in MiB */
  memoryLimitMb?: number;
  threads?: number;
  /** seal the hot table into a Parquet part after this many rows */
  sealRows?: number;
  /** or once its oldest row has waited this long */
  sealAgeMs?: number;
  /** refuse appends (429) while this many bytes wait for their commit */
  maxPendingBytes?: number;
  zstdLevel?: number;
  /** delete parts whose newest entry is older than this (0 = keep forever) */
  retentionMs?: number;
  /** longest line the ingest layer accepts, to size DuckDB's JSON reader */
  maxLineBytes?: number;
  /** merge runs of small parts in the background (default true; tests that count parts turn it off) */
  backgroundCompaction?: boolean;
}

interface HotTable {
  name: string;
  /** batches indexed into this table and not yet committed: it cannot be sealed before they land */
  uncommitted: number;
  builders: Map<number, StreamBlocks>;
  rows: number;
  bytes: number;
  firstAppendAt: number;
}

interface Part {
  id: number;
  file: string;
  rows: number;
  minTs: bigint;
  maxTs: bigint;
  /** per stream, its blocks' indexes; undefined when the index file is missing (then the part is always read) */
  indexes?: Map<number, StreamIndex[]>;
}

/** What a query reads: a consistent set of parts and hot tables, pinned while in use. */
interface View {
  parts: Part[];
  hot: HotTable[];
  pins: number;
  released?: () => void;
}

/** A batch already indexed and serialized, waiting for its commit. */
interface PendingAppend {
  /** the batch's rows as NDJSON for DuckDB's reader */
  ndjson: string;
  rows: number;
  bytes: number;
  /** streams this batch created, persisted before its rows */
  created: RegisteredStream[];
  target: HotTable;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** batches already acknowledged or failed (a failed multi-table flush must not settle one twice) */
const settledItems = new WeakSet<object>();

const HOT_COLUMNS = 'ts BIGINT NOT NULL, stream INTEGER NOT NULL, line VARCHAR NOT NULL, meta VARCHAR';
const ROW_GROUP_SIZE = 8192;
/** compaction merges runs of 4 to 16 small parts into parts of up to 1M rows */
const COMPACT_MIN_PARTS = 4;
const COMPACT_MAX_PARTS = 16;
const COMPACT_MAX_ROWS = 1_000_000;
/** past this many candidate blocks in a part, reading the part whole is cheaper than one scan per block */
const MAX_BLOCK_SOURCES = 16;
/** read_ndjson's per-record cap (it sizes its buffers by it): the largest line after JSON escaping, plus metadata */
function maxObjectSize(maxLineBytes: number): number {
  return Math.max(1 << 20, maxLineBytes * 6 + 65536);
}

export class DuckDbStore implements Store {
  private readonly registry = new StreamRegistry();
  private hot!: [HotTable, HotTable];
  private active = 0;
  private parts: Part[] = [];
  private view!: View;
  private pending: PendingAppend[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private flushing = false;
  private readonly flushWaiters: (() => void)[] = [];
  private readonly scratchFile: string;
  private sealing: Promise<void> | undefined;
  private nextPartId = 1;
  private closed = false;
  private readonly queryPool: DuckDBConnection[] = [];
  private readonly queryWaiters: ((c: DuckDBConnection) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private streamsAppender!: DuckDBAppender;
  readonly partsDir: string;
  private readonly sealRows: number;
  private readonly sealAgeMs: number;
  private readonly maxPendingBytes: number;
  private readonly zstdLevel: number;
  private readonly retentionMs: number;
  /** counters for /metrics */
  readonly counters = { appendedRows: 0, appendedBytes: 0, commits: 0, seals: 0, compactions: 0, rejectedBusy: 0 };

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writeConn: DuckDBConnection,
    private readonly sealConn: DuckDBConnection,
    private readonly opts: DuckDbStoreOptions,
  ) {
    this.partsDir = path.join(opts.dataDir, 'parts');
    this.scratchFile = path.join(opts.dataDir, 'tmp', 'ingest.ndjson');
    this.sealRows = opts.sealRows ?? 250_000;
    this.sealAgeMs = opts.sealAgeMs ?? 5 * 60_000;
    this.maxPendingBytes = opts.maxPendingBytes ?? 128 * 1024 * 1024;
    this.zstdLevel = opts.zstdLevel ?? 6;
    this.retentionMs = opts.retentionMs ?? 0;
  }

  static async open(opts: DuckDbStoreOptions): Promise<DuckDbStore> {
    mkdirSync(path.join(opts.dataDir, 'parts'), { recursive: true });
    mkdirSync(path.join(opts.dataDir, 'tmp'), { recursive: true });
    const instance = await DuckDBInstance.create(path.join(opts.dataDir, 'sightline.duckdb'), {
      threads: String(opts.threads ?? 2),
      memory_limit: `${opts.memoryLimitMb ?? 512}MB`,
      // hot rows leave for Parquet parts; checkpointing them into the DuckDB file first would write them twice
      checkpoint_threshold: '256MB',
      // row order inside the hot tables is irrelevant (seal sorts, queries order by ts): let inserts run in parallel
      preserve_insertion_order: 'false',
      temp_directory: path.join(opts.dataDir, 'tmp'),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'true',
    });
    const writeConn = await instance.connect();
    const sealConn = await instance.connect();
    const store = new DuckDbStore(instance, writeConn, sealConn, opts);
    await store.init();
    return store;
  }

  private async init(): Promise<void> {
    const c = this.writeConn;
    await c.run('SET parquet_metadata_cache = true');
    await c.run(`CREATE TABLE IF NOT EXISTS streams (id INTEGER NOT NULL, tenant VARCHAR NOT NULL, labels VARCHAR NOT NULL)`);
    await c.run(`CREATE TABLE IF NOT EXISTS parts (id INTEGER NOT NULL, file VARCHAR NOT NULL, rows BIGINT NOT NULL, min_ts BIGINT NOT NULL, max_ts BIGINT NOT NULL, created_at TIMESTAMP DEFAULT current_timestamp)`);
    await c.run(`CREATE TABLE IF NOT EXISTS hot_0 (${HOT_COLUMNS})`);
    await c.run(`CREATE TABLE IF NOT EXISTS hot_1 (${HOT_COLUMNS})`);

    for (const [id, tenant, labels] of (await c.runAndReadAll('SELECT id, tenant, labels FROM streams ORDER BY id')).getRows()) {
      this.registry.load(Number(id), String(tenant), JSON.parse(String(labels)));
    }
    const known = new Set<string>();
    for (const [id, file, rows, minTs, maxTs] of (await c.runAndReadAll('SELECT id, file, rows, min_ts, max_ts FROM parts ORDER BY min_ts')).getRows()) {
      const part: Part = { id: Number(id), file: String(file), rows: Number(rows), minTs: BigInt(minTs as bigint), maxTs: BigInt(maxTs as bigint) };
      part.indexes = this.loadIndex(part);
      this.parts.push(part);
      known.add(path.resolve(this.opts.dataDir, part.file));
      if (part.id >= this.nextPartId) this.nextPartId = part.id + 1;
      if (part.indexes) for (const blocks of part.indexes.values()) for (const ix of blocks) this.registry.touch(ix.streamId, ix.minTs, ix.maxTs);
      else this.touchAllStreams(part);
    }
    this.removeOrphanFiles(known);

    this.streamsAppender = await c.createAppender('streams');
    this.hot = [this.openHot('hot_0'), this.openHot('hot_1')];
    // rows left in the hot tables by a previous run: rebuild their in-memory index
    for (const h of this.hot) await this.recoverHot(h);
    this.active = this.hot[0].rows === 0 && this.hot[1].rows > 0 ? 1 : 0;
    this.view = { parts: [...this.parts], hot: [...this.hot], pins: 0 };
    const inactive = this.hot[1 - this.active];
    if (inactive.rows > 0) await this.seal(inactive);
    this.timer = setInterval(() => this.housekeeping(), 1000);
    this.timer.unref();
  }

  private openHot(name: string): HotTable {
    return { name, uncommitted: 0, builders: new Map(), rows: 0, bytes: 0, firstAppendAt: 0 };
  }

  private async recoverHot(h: HotTable): Promise<void> {
    const result = await this.writeConn.stream(`SELECT ts, stream, line, meta FROM ${h.name}`);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const [ts, stream, line, meta] = chunk.getColumns() as [bigint[], number[], string[], (string | null)[]];
      for (let i = 0; i < ts.length; i++) this.indexRow(h, stream[i], ts[i], line[i], meta[i] === null ? undefined : (JSON.parse(meta[i]!) as Record<string, string>));
    }
    if (h.rows > 0) h.firstAppendAt = Date.now();
    for (const [id, b] of h.builders) this.registry.touch(id, b.minTs, b.maxTs);
  }

  private indexRow(h: HotTable, streamId: number, ts: bigint, line: string, metadata?: Record<string, string>): void {
    let b = h.builders.get(streamId);
    if (!b) h.builders.set(streamId, (b = new StreamBlocks(streamId)));
    b.addLine(line, ts, metadata);
    h.rows++;
    h.bytes += line.length;
  }

  private loadIndex(part: Part): Map<number, StreamIndex[]> | undefined {
    const file = path.resolve(this.opts.dataDir, part.file.replace(/\.parquet$/, '.idx'));
    try {
      return groupByStream(deserializeIndexes(readFileSync(file), file));
    } catch (e) {
      process.emitWarning(`part ${part.id}: index unavailable, the part will be scanned in full (${(e as Error).message})`);
      return undefined;
    }
  }

  private touchAllStreams(part: Part): void {
    // without an index we do not know the part's streams: widen every stream's bounds conservatively
    for (const s of this.registry.all()) this.registry.touch(s.id, part.minTs, part.maxTs);
  }

  private removeOrphanFiles(known: Set<string>): void {
    // a crash between writing a part and committing it to the catalogue leaves files nobody refers to
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.parquet') || name.endsWith('.tmp')) {
          if (!known.has(p)) rmSync(p, { force: true });
        } else if (name.endsWith('.idx')) {
          if (!known.has(p.replace(/\.idx$/, '.parquet'))) rmSync(p, { force: true });
        }
      }
    };
    walk(this.partsDir);
  }

  // ---- ingest ----

  /**
   * Indexes and serializes the batch at once, on the caller's turn, so that this work overlaps the DuckDB commit
   * already in flight; the batch then waits for the next group commit.
   */
  append(batch: IngestBatch): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (batch.entries === 0) return Promise.resolve();
    if (this.pendingBytes + batch.bytes > this.maxPendingBytes && this.pendingBytes > 0) {
      this.counters.rejectedBusy++;
      return Promise.reject(new StoreBusyError(`ingest queue is full (${this.pendingBytes} bytes waiting for commit)`, 1));
    }
    const h = this.hot[this.active];
    if (this.sealing && h.rows > this.sealRows * 4) {
      this.counters.rejectedBusy++;
      return Promise.reject(new StoreBusyError('storage is sealing older data and is behind ingest', 2));
    }
    const created: RegisteredStream[] = [];
    let ndjson = '';
    let rows = 0;
    for (const s of batch.streams) {
      const { stream, created: isNew } = this.registry.resolve(batch.tenant, s.labels);
      if (isNew) created.push(stream);
      const prefix = ',"s":' + stream.id + ',"l":';
      const { ts, lines, metadata } = s;
      let minTs = ts[0];
      let maxTs = ts[0];
      for (let i = 0; i < lines.length; i++) {
        const t = ts[i];
        const m = metadata[i];
        ndjson += '{"ts":' + t + prefix + JSON.stringify(lines[i]) + (m === undefined ? '}\n' : ',"m":' + JSON.stringify(m) + '}\n');
        this.indexRow(h, stream.id, t, lines[i], m);
        if (t < minTs) minTs = t;
        if (t > maxTs) maxTs = t;
      }
      rows += lines.length;
      this.registry.touch(stream.id, minTs, maxTs);
    }
    h.uncommitted++;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ndjson, rows, bytes: batch.bytes, created, target: h, resolve, reject });
      this.pendingBytes += batch.bytes;
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /**
   * Group commit: writes the waiting batches' NDJSON to a scratch file and has DuckDB load it in one INSERT per
   * target table, whose commit writes and fsyncs the WAL; only then are the batches acknowledged. DuckDB parses
   * and inserts on its own threads while this thread goes on with the next requests.
   */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const items = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (items.length === 0) return;
    this.flushing = true;
    try {
      const created = items.flatMap((i) => i.created);
      if (created.length > 0) {
        for (const stream of created) {
          this.streamsAppender.appendInteger(stream.id);
          this.streamsAppender.appendVarchar(stream.tenant);
          this.streamsAppender.appendVarchar(JSON.stringify(stream.labels));
          this.streamsAppender.endRow();
        }
        this.streamsAppender.flushSync();
      }
      for (const target of new Set(items.map((i) => i.target))) {
        const mine = items.filter((i) => i.target === target);
        writeFileSync(this.scratchFile, mine.length === 1 ? mine[0].ndjson : mine.map((i) => i.ndjson).join(''));
        await this.writeConn.run(
          `INSERT INTO ${target.name} SELECT ts, s, l, m FROM read_ndjson(${sqlString(this.scratchFile)}, ` +
            `columns={ts: 'BIGINT', s: 'INTEGER', l: 'VARCHAR', m: 'VARCHAR'}, maximum_object_size=${maxObjectSize(this.opts.maxLineBytes ?? 256 * 1024)})`,
        );
        this.settle(mine, undefined);
      }
    } catch (e) {
      const err = new Error(`could not commit to storage: ${(e as Error).message}`);
      this.settle(items.filter((i) => i.target.uncommitted > 0 && !settledItems.has(i)), err);
    } finally {
      this.flushing = false;
      for (const w of this.flushWaiters.splice(0)) w();
    }
    const h = this.hot[this.active];
    if (h.rows >= this.sealRows && !this.sealing) this.startSeal();
    if (this.pending.length > 0) this.scheduleFlush();
  }

  private settle(items: PendingAppend[], err: Error | undefined): void {
    for (const item of items) {
      if (settledItems.has(item)) continue;
      settledItems.add(item);
      item.target.uncommitted--;
      if (err) {
        for (const s of item.created) this.registry.forget(s.id);
        item.reject(err);
        continue;
      }
      if (item.target.firstAppendAt === 0) item.target.firstAppendAt = Date.now();
      this.counters.appendedRows += item.rows;
      this.counters.appendedBytes += item.bytes;
      item.resolve();
    }
    if (!err) this.counters.commits++;
  }

  /** Resolves when no batch aimed at the table waits for its commit. */
  private async drained(h: HotTable): Promise<void> {
    while (h.uncommitted > 0) {
      if (!this.flushing && !this.flushScheduled) this.scheduleFlush();
      await new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    }
  }

  private housekeeping(): void {
    const h = this.hot[this.active];
    // never switch tables under an in-flight flush: its rows must land in the table being sealed first
    if (!this.sealing && !this.flushing && h.rows > 0 && Date.now() - h.firstAppendAt >= this.sealAgeMs) this.startSeal();
    if (this.sealing) return;
    if (this.retentionMs > 0 && this.parts.some((p) => p.maxTs < BigInt(Date.now() - this.retentionMs) * 1_000_000n)) {
      this.maintain('retention', () => this.applyRetention());
    } else if (this.opts.backgroundCompaction !== false && this.hot[this.active].rows < this.sealRows / 2) {
      // only with room in the hot table: a merge holds the maintenance slot that sealing needs
      const run = this.compactionCandidates();
      if (run) this.maintain('compaction', () => this.compact(run));
    }
  }

  /** Runs one maintenance task at a time, in the slot sealing uses, so parts change under one writer. */
  private maintain(what: string, task: () => Promise<void>): void {
    this.sealing = task()
      .catch((e) => process.emitWarning(`${what} failed, will retry: ${(e as Error).message}`))
      .finally(() => (this.sealing = undefined));
  }

  /**
   * The oldest run of at least COMPACT_MIN_PARTS neighbouring (by time) small parts whose rows together stay under
   * COMPACT_MAX_ROWS: merging them keeps the part count, and so per-query overhead, bounded as small seals pile up.
   */
  private compactionCandidates(): Part[] | undefined {
    let run: Part[] = [];
    let rows = 0;
    for (const p of this.parts) {
      const small = p.indexes !== undefined && p.rows < COMPACT_MAX_ROWS / 2;
      if (small && rows + p.rows <= COMPACT_MAX_ROWS) {
        run.push(p);
        rows += p.rows;
        if (run.length >= COMPACT_MAX_PARTS) return run;
        continue;
      }
      if (run.length >= COMPACT_MIN_PARTS) return run;
      run = small ? [p] : [];
      rows = small ? p.rows : 0;
    }
    return run.length >= COMPACT_MIN_PARTS ? run : undefined;
  }

  /** Rewrites several parts as one (sorted by stream and time again); their block indexes carry over unchanged. */
  private async compact(inputs: Part[]): Promise<void> {
    const id = this.nextPartId++;
    const rel = path.join('parts', new Date().toISOString().slice(0, 10), `part-${String(id).padStart(8, '0')}.parquet`);
    const file = path.join(this.opts.dataDir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    const files = inputs.map((p) => sqlString(path.join(this.opts.dataDir, p.file)));
    await this.sealConn.run(
      `COPY (SELECT ts, stream, line, meta FROM read_parquet([${files.join(', ')}]) ORDER BY stream, ts) TO ${sqlString(file + '.tmp')} ` +
        `(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${this.zstdLevel}, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`,
    );
    // a block keeps its stream and time bounds in the merged file, so the inputs' blocks index it as they are
    const indexes: StreamIndex[] = inputs.flatMap((p) => [...p.indexes!.values()].flat());
    const part: Part = {
      id,
      file: rel,
      rows: inputs.reduce((n, p) => n + p.rows, 0),
      minTs: inputs.reduce((m, p) => (p.minTs < m ? p.minTs : m), inputs[0].minTs),
      maxTs: inputs.reduce((m, p) => (p.maxTs > m ? p.maxTs : m), inputs[0].maxTs),
      indexes: groupByStream(indexes),
    };
    await this.installPartFiles(file, indexes);
    this.parts = [...this.parts.filter((p) => !inputs.includes(p)), part].sort((a, b) => (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
    await this.replaceView({ parts: [...this.parts], hot: [...this.hot], pins: 0 });
    await this.sealConn.run('BEGIN TRANSACTION');
    try {
      await this.sealConn.run(`INSERT INTO parts (id, file, rows, min_ts, max_ts) VALUES (${id}, ${sqlString(rel)}, ${part.rows}, ${part.minTs}, ${part.maxTs})`);
      await this.sealConn.run(`DELETE FROM parts WHERE id IN (${inputs.map((p) => p.id).join(',')})`);
      await this.sealConn.run('COMMIT');
    } catch (e) {
      await this.sealConn.run('ROLLBACK').catch(() => undefined);
      this.parts = [...this.parts.filter((p) => p !== part), ...inputs].sort((a, b) => (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
      this.view = { parts: [...this.parts], hot: [...this.hot], pins: 0 };
      rmSync(file, { force: true });
      rmSync(file.replace(/\.parquet$/, '.idx'), { force: true });
      throw e;
    }
    for (const p of inputs) {
      const f = path.join(this.opts.dataDir, p.file);
      rmSync(f, { force: true });
      rmSync(f.replace(/\.parquet$/, '.idx'), { force: true });
    }
    this.counters.compactions++;
  }

  /** Writes a part's index beside its `.tmp` Parquet file, makes both durable and renames them into place. */
  private async installPartFiles(file: string, indexes: StreamIndex[]): Promise<void> {
    const idxFile = file.replace(/\.parquet$/, '.idx');
    writeFileSync(idxFile + '.tmp', serializeIndexes(indexes));
    fsyncFile(file + '.tmp');
    fsyncFile(idxFile + '.tmp');
    renameSync(idxFile + '.tmp', idxFile);
    renameSync(file + '.tmp', file);
    fsyncFile(path.dirname(file));
  }

  private startSeal(): void {
    const src = this.hot[this.active];
    this.active = 1 - this.active;
    this.sealing = this.seal(src)
      .catch((e) => process.emitWarning(`sealing ${src.name} failed, will retry: ${(e as Error).message}`))
      .finally(() => (this.sealing = undefined));
  }

  /** Writes a hot table's rows to a Parquet part with its index, commits the part, then empties the table. */
  private async seal(src: HotTable): Promise<void> {
    await this.drained(src);
    const id = this.nextPartId++;
    const day = new Date().toISOString().slice(0, 10);
    const rel = path.join('parts', day, `part-${String(id).padStart(8, '0')}.parquet`);
    const file = path.join(this.opts.dataDir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = file + '.tmp';
    await this.sealConn.run(
      `COPY (SELECT ts, stream, line, meta FROM ${src.name} ORDER BY stream, ts) TO ${sqlString(tmp)} ` +
        `(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${this.zstdLevel}, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`,
    );
    const indexes: StreamIndex[] = [];
    let minTs = 0n;
    let maxTs = 0n;
    let rows = 0;
    for (const b of src.builders.values()) {
      if (rows === 0 || b.minTs < minTs) minTs = b.minTs;
      if (rows === 0 || b.maxTs > maxTs) maxTs = b.maxTs;
      rows += b.rows;
      indexes.push(...b.build());
    }
    const idxFile = file.replace(/\.parquet$/, '.idx');
    await this.installPartFiles(file, indexes);
    const part: Part = { id, file: rel, rows, minTs, maxTs, indexes: groupByStream(indexes) };

    // queries from now on read the part instead of the hot table; wait for those still reading the table
    this.parts.push(part);
    this.parts.sort((a, b) => (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
    await this.replaceView({ parts: [...this.parts], hot: this.hot.filter((t) => t !== src), pins: 0 });

    await this.sealConn.run('BEGIN TRANSACTION');
    try {
      await this.sealConn.run(`INSERT INTO parts (id, file, rows, min_ts, max_ts) VALUES (${id}, ${sqlString(rel)}, ${rows}, ${minTs}, ${maxTs})`);
      await this.sealConn.run(`DELETE FROM ${src.name}`);
      await this.sealConn.run('COMMIT');
    } catch (e) {
      await this.sealConn.run('ROLLBACK').catch(() => undefined);
      this.parts = this.parts.filter((p) => p !== part);
      await this.replaceView({ parts: [...this.parts], hot: [...this.hot], pins: 0 });
      rmSync(file, { force: true });
      rmSync(idxFile, { force: true });
      throw e;
    }
    src.builders = new Map();
    src.rows = 0;
    src.bytes = 0;
    src.firstAppendAt = 0;
    this.counters.seals++;
    this.view = { parts: [...this.parts], hot: [...this.hot], pins: 0 };
  }

  private async replaceView(next: View): Promise<void> {
    const old = this.view;
    this.view = next;
    if (old.pins > 0) await new Promise<void>((resolve) => (old.released = resolve));
  }

  private async applyRetention(): Promise<void> {
    const cutoff = BigInt(Date.now() - this.retentionMs) * 1_000_000n;
    const expired = this.parts.filter((p) => p.maxTs < cutoff);
    if (expired.length === 0) return;
    this.parts = this.parts.filter((p) => p.maxTs >= cutoff);
    await this.replaceView({ parts: [...this.parts], hot: this.view.hot, pins: 0 });
    await this.sealConn.run(`DELETE FROM parts WHERE id IN (${expired.map((p) => p.id).join(',')})`);
    for (const p of expired) {
      const f = path.join(this.opts.dataDir, p.file);
      rmSync(f, { force: true });
      rmSync(f.replace(/\.parquet$/, '.idx'), { force: true });
    }
  }

  // ---- query ----

  private pin(): View {
    const v = this.view;
    v.pins++;
    return v;
  }

  private unpin(v: View): void {
    v.pins--;
    if (v.pins === 0 && v !== this.view && v.released) v.released();
  }

  private async connection(): Promise<DuckDBConnection> {
    const c = this.queryPool.pop();
    if (c) return c;
    if (this.openQueryConns < 4) {
      this.openQueryConns++;
      return this.instance.connect();
    }
    return new Promise((resolve) => this.queryWaiters.push(resolve));
  }
  private openQueryConns = 0;

  private releaseConnection(c: DuckDBConnection): void {
    const waiter = this.queryWaiters.shift();
    if (waiter) waiter(c);
    else this.queryPool.push(c);
  }

  /** The SQL form of the selection's field conditions, or undefined when it has none. */
  private fieldSql(sel: Selection): string | undefined {
    const fields = sel.fieldEquals ?? [];
    if (fields.length === 0) return undefined;
    const streams = this.registry.select(sel.tenants, sel.matchers, sel.fromNs, sel.toNs);
    return fieldPredicate(fields.map((f) => ({ ...f, byLabel: streams.filter((s) => s.labels[f.name] === f.value).map((s) => s.id) })));
  }

  /**
   * Sources worth reading for a selection, pruned by tenant, labels, time and the full-text index. With a needle
   * and few candidate blocks, each block is read on its own (stream and time bounds let Parquet skip the rest);
   * otherwise whole parts are read for the candidate streams.
   */
  private sources(view: View, sel: Selection, stats?: ScanStats, answered?: (part: Part, streamId: number) => boolean): Source[] {
    const streams = this.registry.select(sel.tenants, sel.matchers, sel.fromNs, sel.toNs);
    if (stats) {
      stats.partsTotal += view.parts.length;
      stats.streamsMatched += streams.length;
    }
    if (streams.length === 0) return [];
    const lineNeedles: NeedleRequirements[][] = sel.lineFilters
      .filter((f) => f.op === 'contains')
      .map((f) => f.values.map((v) => needleRequirements(v)));
    // a field condition a stream's own label settles costs nothing; otherwise its value must be in the block's tokens
    const filtersOf = new Map<number, NeedleRequirements[][]>();
    for (const s of streams) {
      let filters = lineNeedles;
      let possible = true;
      for (const f of sel.fieldEquals ?? []) {
        const label = s.labels[f.name];
        if (label !== undefined) possible &&= label === f.value;
        else filters = [...filters, [valueRequirements(f.value)]];
      }
      if (possible) filtersOf.set(s.id, filters);
    }
    const needles = lineNeedles.length > 0 || (sel.fieldEquals?.length ?? 0) > 0;
    const sources: Source[] = [];
    // whole-part reads, grouped by the exact stream set each part needs: a stream another part needs must not be
    // re-read from a part where the index already answered it (countFromIndex), or its rows would count twice
    const wholeReads = new Map<string, { files: string[]; streamIds: number[] }>();
    const readWhole = (file: string, ids: Iterable<number>): void => {
      const streamIds = [...new Set(ids)].sort((a, b) => a - b);
      const key = streamIds.join(',');
      const group = wholeReads.get(key);
      if (group) group.files.push(file);
      else wholeReads.set(key, { files: [file], streamIds });
    };
    let partsRead = 0;
    for (const part of view.parts) {
      if (part.maxTs < sel.fromNs || part.minTs >= sel.toNs) continue;
      const file = path.join(this.opts.dataDir, part.file);
      if (!part.indexes) {
        readWhole(file, filtersOf.keys());
        partsRead++;
        continue;
      }
      const candidates: StreamIndex[] = [];
      for (const s of streams) {
        const filters = filtersOf.get(s.id);
        if (!filters || answered?.(part, s.id)) continue;
        const blocks = part.indexes.get(s.id);
        if (blocks) for (const b of blocks) if (blockMatches(b, sel.fromNs, sel.toNs, filters)) candidates.push(b);
      }
      if (candidates.length === 0) continue;
      partsRead++;
      // each block read decodes at least one row group, so per-block reads only pay off for a few sparse blocks
      const candidateRows = candidates.reduce((n, b) => n + b.rows, 0);
      if (needles && candidates.length <= MAX_BLOCK_SOURCES && candidateRows * 8 < part.rows) {
        for (const r of blockRanges(candidates)) sources.push({ kind: 'parquet', files: [file], streamIds: [r.streamId], minTs: r.minTs, maxTs: r.maxTs });
      } else {
        readWhole(file, candidates.map((b) => b.streamId));
      }
    }
    if (stats) stats.partsScanned += partsRead;
    for (const g of wholeReads.values()) sources.push({ kind: 'parquet', files: g.files, streamIds: g.streamIds });
    for (const h of view.hot) {
      const ids: number[] = [];
      for (const s of streams) {
        const b = h.builders.get(s.id);
        const filters = filtersOf.get(s.id);
        if (b && filters && b.mayMatch(sel.fromNs, sel.toNs, filters)) ids.push(s.id);
      }
      if (ids.length > 0) sources.push({ kind: 'table', table: h.name, streamIds: ids });
    }
    return sources;
  }

  async *scan(plan: ScanPlan, stats?: ScanStats): AsyncIterable<RowChunk> {
    const view = this.pin();
    let conn: DuckDBConnection | undefined;
    try {
      // with a limit and nothing to filter, the index says how far back the newest `limit` rows can reach:
      // parts and rows beyond that bound are never read
      const unfiltered = plan.lineFilters.length === 0 && !plan.fieldEquals?.length;
      const extra = this.fieldSql(plan);
      const bound = plan.limit !== undefined && unfiltered ? this.limitBoundFromIndex(view, plan) : undefined;
      if (bound !== undefined) plan = plan.direction === 'backward' ? { ...plan, fromNs: bound } : { ...plan, toNs: bound + 1n };
      const sources = this.sources(view, plan, stats);
      if (sources.length === 0) return;
      conn = await this.connection();
      const order = plan.direction === 'backward' ? 'DESC' : 'ASC';
      if (plan.limit !== undefined) {
        let { fromNs, toNs } = plan;
        if (bound === undefined && unfiltered) {
          // find the time of the limit-th row from the ts column alone, then read lines only from there on:
          // otherwise the sort would drag every line of the range along
          const cut = await conn.runAndReadAll(
            `SELECT ts FROM (${unionSelect('ts', sources, fromNs, toNs, [])}) ORDER BY ts ${order} LIMIT 1 OFFSET ${plan.limit - 1}`,
          );
          const edge = cut.getColumns()[0]?.[0] as bigint | undefined;
          if (edge !== undefined) {
            if (plan.direction === 'backward') fromNs = edge;
            else toNs = edge + 1n;
          }
        }
        const sql = `SELECT ts, stream, line, meta FROM (${unionSelect('ts, stream, line, meta', sources, fromNs, toNs, plan.lineFilters, extra)}) ORDER BY ts ${order} LIMIT ${plan.limit}`;
        yield* this.streamRows(conn, sql, stats);
        return;
      }
      // unbounded scans walk the range in growing windows from the requested end, so a consumer that stops early
      // (it found enough rows after its own filtering) never pays for sorting the whole range
      let width = (plan.toNs - plan.fromNs) / 64n;
      if (width < 60_000_000_000n) width = 60_000_000_000n;
      let lo = plan.fromNs;
      let hi = plan.toNs;
      while (plan.direction === 'backward' ? hi > plan.fromNs : lo < plan.toNs) {
        let from: bigint, to: bigint;
        if (plan.direction === 'backward') {
          from = hi - width < plan.fromNs ? plan.fromNs : hi - width;
          to = hi;
          hi = from;
        } else {
          from = lo;
          to = lo + width > plan.toNs ? plan.toNs : lo + width;
          lo = to;
        }
        width *= 2n;
        const sql = `SELECT ts, stream, line, meta FROM (${unionSelect('ts, stream, line, meta', sources, from, to, plan.lineFilters, extra)}) ORDER BY ts ${order}`;
        yield* this.streamRows(conn, sql, stats);
      }
    } finally {
      if (conn) this.releaseConnection(conn);
      this.unpin(view);
    }
  }

  private async *streamRows(conn: DuckDBConnection, sql: string, stats?: ScanStats): AsyncIterable<RowChunk> {
    const result = await conn.stream(sql);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const [ts, stream, line, metadata] = chunk.getColumns() as [bigint[], number[], string[], (string | null)[]];
      if (stats) stats.rowsScanned += ts.length;
      yield { ts, stream, line, metadata };
    }
  }

  async aggregate(plan: AggregatePlan, stats?: ScanStats): Promise<AggregateRows> {
    const view = this.pin();
    let conn: DuckDBConnection | undefined;
    try {
      const out: AggregateRows = { stream: [], bucket: [], value: [] };
      const answered = plan.measure === 'count' && plan.lineFilters.length === 0 && !plan.fieldEquals?.length ? this.countFromIndex(view, plan, out) : undefined;
      const sources = this.sources(view, plan, stats, answered);
      if (sources.length === 0) return out;
      conn = await this.connection();
      const measure = plan.measure === 'count' ? 'count(*)' : 'sum(strlen(line))';
      const columns = plan.measure === 'count' ? 'ts, stream' : 'ts, stream, line';
      const sql =
        `SELECT stream, ((ts - ${plan.baseNs} - 1) // ${plan.widthNs} + 1) AS bucket, ${measure} AS v ` +
        `FROM (${unionSelect(columns, sources, plan.fromNs, plan.toNs, plan.lineFilters, this.fieldSql(plan))}) GROUP BY ALL`;
      const reader = await conn.runAndReadAll(sql);
      // an empty result has no columns at all
      const [stream = [], bucket = [], value = []] = reader.getColumns() as [number[]?, bigint[]?, (bigint | number)[]?];
      for (let i = 0; i < stream.length; i++) {
        out.stream.push(stream[i]);
        out.bucket.push(Number(bucket[i]));
        out.value.push(Number(value[i]));
      }
      if (stats) stats.rowsScanned += out.value.reduce((a, b) => a + (plan.measure === 'count' ? b : 0), 0);
      return out;
    } finally {
      if (conn) this.releaseConnection(conn);
      this.unpin(view);
    }
  }

  /** limitBound over the blocks of the selected streams in the view; undefined if a part has no index. */
  private limitBoundFromIndex(view: View, plan: ScanPlan): bigint | undefined {
    const streams = this.registry.select(plan.tenants, plan.matchers, plan.fromNs, plan.toNs);
    const extents: BlockExtent[] = [];
    for (const part of view.parts) {
      if (part.maxTs < plan.fromNs || part.minTs >= plan.toNs) continue;
      if (!part.indexes) return undefined;
      for (const s of streams) {
        const blocks = part.indexes.get(s.id);
        if (blocks) for (const b of blocks) extents.push(b);
      }
    }
    for (const h of view.hot) {
      for (const s of streams) {
        const b = h.builders.get(s.id);
        if (b) for (const e of b.extents()) extents.push(e);
      }
    }
    return limitBound(extents, plan.fromNs, plan.toNs, plan.limit ?? 0, plan.direction);
  }

  /**
   * Counts without reading rows where the index already knows them: when each of a stream's blocks in a part
   * lies inside one bucket (or outside the range), their row counts are the answer for that (part, stream).
   * Returns the (part, stream) pairs it answered, for the caller to leave out of the scan.
   */
  private countFromIndex(view: View, plan: AggregatePlan, out: AggregateRows): (part: Part, streamId: number) => boolean {
    const done = new Map<Part, Set<number>>();
    const bucketOf = (ts: bigint): number => Number((ts - plan.baseNs - 1n) / plan.widthNs) + 1;
    const sums = new Map<string, { stream: number; bucket: number; rows: number }>();
    const streams = this.registry.select(plan.tenants, plan.matchers, plan.fromNs, plan.toNs);
    for (const part of view.parts) {
      if (!part.indexes || part.maxTs < plan.fromNs || part.minTs >= plan.toNs) continue;
      const answered = new Set<number>();
      for (const s of streams) {
        const blocks = part.indexes.get(s.id);
        if (!blocks) continue;
        let ok = true;
        for (let i = 0; i < blocks.length && ok; i++) {
          const b = blocks[i];
          const inside = b.minTs >= plan.fromNs && b.maxTs < plan.toNs;
          const outside = b.maxTs < plan.fromNs || b.minTs >= plan.toNs;
          ok = outside || (inside && bucketOf(b.minTs) === bucketOf(b.maxTs));
        }
        if (!ok) continue;
        answered.add(s.id);
        for (const b of blocks) {
          if (b.maxTs < plan.fromNs || b.minTs >= plan.toNs) continue;
          const bucket = bucketOf(b.minTs);
          const key = s.id + ':' + bucket;
          const e = sums.get(key);
          if (e) e.rows += b.rows;
          else sums.set(key, { stream: s.id, bucket, rows: b.rows });
        }
      }
      if (answered.size > 0) done.set(part, answered);
    }
    for (const e of sums.values()) {
      out.stream.push(e.stream);
      out.bucket.push(e.bucket);
      out.value.push(e.rows);
    }
    return (part, streamId) => done.get(part)?.has(streamId) ?? false;
  }

  streams(tenants: string[], matchers: Matcher[], fromNs: bigint, toNs: bigint): StreamInfo[] {
    return this.registry.select(tenants, matchers, fromNs, toNs);
  }

  stream(id: number): StreamInfo | undefined {
    return this.registry.get(id);
  }

  /** Sizes for /metrics and the benchmark. */
  status(): { parts: number; hotRows: number; streams: number; partRows: number } {
    return {
      parts: this.parts.length,
      hotRows: this.hot[0].rows + this.hot[1].rows,
      streams: this.registry.size,
      partRows: this.parts.reduce((a, p) => a + p.rows, 0),
    };
  }

  /** Runs compaction until no run of small parts is left (used by tests). */
  async compactNow(): Promise<number> {
    let merged = 0;
    for (;;) {
      if (this.sealing) await this.sealing;
      const run = this.compactionCandidates();
      if (!run) return merged;
      this.maintain('compaction', () => this.compact(run));
      await this.sealing;
      merged++;
    }
  }

  /** Seals whatever the hot tables hold now (used by tests and before benchmarks' queries). */
  async sealNow(): Promise<void> {
    await this.drained(this.hot[this.active]);
    if (this.sealing) await this.sealing;
    if (this.hot[this.active].rows > 0) {
      this.startSeal();
      await this.sealing;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const h of this.hot) await this.drained(h);
    if (this.sealing) await this.sealing;
    this.streamsAppender.closeSync();
    for (const c of this.queryPool) c.closeSync();
    this.writeConn.closeSync();
    this.sealConn.closeSync();
    this.instance.closeSync();
  }
}

/**
 * The time ranges to read for a part's candidate blocks, per stream, overlapping ones merged. Blocks are cut in
 * arrival order, so a stream's blocks overlap in time when its lines arrived out of order: reading each block's
 * range on its own would return the rows in the overlap once per block.
 */
export function blockRanges(blocks: readonly { streamId: number; minTs: bigint; maxTs: bigint }[]): { streamId: number; minTs: bigint; maxTs: bigint }[] {
  const sorted = [...blocks].sort((a, b) => a.streamId - b.streamId || (a.minTs < b.minTs ? -1 : a.minTs > b.minTs ? 1 : 0));
  const out: { streamId: number; minTs: bigint; maxTs: bigint }[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    // bounds are inclusive: a block starting at the previous one's last timestamp overlaps it
    if (last && last.streamId === b.streamId && b.minTs <= last.maxTs) {
      if (b.maxTs > last.maxTs) last.maxTs = b.maxTs;
    } else {
      out.push({ streamId: b.streamId, minTs: b.minTs, maxTs: b.maxTs });
    }
  }
  return out;
}

function groupByStream(indexes: StreamIndex[]): Map<number, StreamIndex[]> {
  const map = new Map<number, StreamIndex[]>();
  for (const ix of indexes) {
    const list = map.get(ix.streamId);
    if (list) list.push(ix);
    else map.set(ix.streamId, [ix]);
  }
  return map;
}

function fsyncFile(p: string): void {
  if (!existsSync(p)) return;
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
