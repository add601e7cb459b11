// Writes VPC flow logs in text form as Apache Parquet, the way AWS delivers them
// with FileFormat=parquet, through parquet-wasm (the Rust parquet crate, arrow-rs,
// built to WebAssembly): a writer that shares no code with coalmine's reader.
//
// usage: node write.mjs [options] IN OUT [IN OUT]...
//
// IN is a flow log in text form, plain or gzip: a header line of the fields'
// hyphenated names, then one record a line, fields separated by one space, '-' for
// no value. OUT gets one column a field, named with '_' for '-', typed as AWS types
// them (Athena's DDL for Parquet flow logs): version, srcport, dstport, tcp_flags and
// traffic_path INT32; protocol, packets, bytes, start and end INT64; every other
// field a UTF8 string (BYTE_ARRAY). Every column is OPTIONAL and '-' is null. The
// rows keep the input's order. Several IN OUT pairs share one start of the wasm.
//
// options (the writer's own default when not given):
//   --codec C              uncompressed, snappy, gzip, zstd, lz4 (LZ4_RAW),
//                          lz4-hadoop (the deprecated LZ4), brotli (default gzip,
//                          as AWS: "Parquet format with Gzip compression")
//   --dictionary on|off    dictionary encoding (default on)
//   --dictionary-page-size N
//                          bytes a column chunk's dictionary may reach; past it the
//                          chunk's later pages fall back to the non-dictionary
//                          encoding (default 1 MiB)
//   --encoding E           the non-dictionary encoding (with the dictionary on: the
//                          fallback's): plain; delta (DELTA_BINARY_PACKED for the
//                          integers, DELTA_BYTE_ARRAY for the strings); delta-length
//                          (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY). Default:
//                          PLAIN with --writer-version 1, the delta encodings with 2
//   --writer-version 1|2   data pages v1 (DATA_PAGE) or v2 (DATA_PAGE_V2) (default 1)
//   --row-group-size N     rows a row group holds at most (default 1048576)
//   --data-page-size N     bytes after which a data page ends (default 1 MiB)
//   --page-rows N          the writer takes the rows N at a time (its write batch,
//                          default 1024) and, unless --data-page-size is given, ends
//                          a page after each batch whose encoder reports a size: pages
//                          of N rows or fewer, except where the encoder buffers (the
//                          dictionary indices of a run of one value, DELTA_BINARY_PACKED's
//                          blocks of 128), which stay in one page up to the row group.
//                          (parquet-wasm has no data page row count limit.)
//   --statistics S         none, chunk or page (default page: column and offset index)
// Prints nothing on success; on error a message on stderr and exit status 1 (2 for
// usage errors).
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { load, INT32, INT64 } from "./lib.mjs";

const USAGE = "usage: node write.mjs [--codec C] [--dictionary on|off] [--dictionary-page-size N]\n" +
    "         [--encoding plain|delta|delta-length] [--writer-version 1|2]\n" +
    "         [--row-group-size N] [--data-page-size N] [--page-rows N]\n" +
    "         [--statistics none|chunk|page] IN OUT [IN OUT]...";

class UsageError extends Error {}

function positive(opt, v) {
    if (!/^[1-9][0-9]*$/.test(v ?? "") || Number(v) > 2 ** 31)
        throw new UsageError(`${opt} takes a positive integer, not '${v}'`);
    return Number(v);
}

function oneOf(opt, v, allowed) {
    if (!allowed.includes(v)) throw new UsageError(`${opt} takes ${allowed.join(", ")}, not '${v}'`);
    return v;
}

function parseArgs(argv) {
    const o = { files: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith("--") || a === "--") {
            o.files.push(...(a === "--" ? argv.slice(i + 1) : [a]));
            if (a === "--") break;
            continue;
        }
        const [name, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
        if (name === "--help") { process.stdout.write(USAGE + "\n"); process.exit(0); }
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        switch (name) {
        case "--codec":
            o.codec = oneOf(name, v, ["uncompressed", "snappy", "gzip", "zstd", "lz4", "lz4-hadoop", "brotli"]);
            break;
        case "--dictionary": o.dictionary = oneOf(name, v, ["on", "off"]) === "on"; break;
        case "--dictionary-page-size": o.dictionaryPageSize = positive(name, v); break;
        case "--encoding": o.encoding = oneOf(name, v, ["plain", "delta", "delta-length"]); break;
        case "--writer-version": o.writerVersion = oneOf(name, v, ["1", "2"]); break;
        case "--row-group-size": o.rowGroupSize = positive(name, v); break;
        case "--data-page-size": o.dataPageSize = positive(name, v); break;
        case "--page-rows": o.pageRows = positive(name, v); break;
        case "--statistics": o.statistics = oneOf(name, v, ["none", "chunk", "page"]); break;
        default: throw new UsageError(`unknown option ${name}`);
        }
    }
    if (o.files.length === 0 || o.files.length % 2 !== 0)
        throw new UsageError("give IN OUT pairs");
    return o;
}

function properties(pq, o, names) {
    const C = pq.Compression;
    const codec = {
        uncompressed: C.UNCOMPRESSED, snappy: C.SNAPPY, gzip: C.GZIP, zstd: C.ZSTD,
        lz4: C.LZ4_RAW, "lz4-hadoop": C.LZ4, brotli: C.BROTLI,
    }[o.codec ?? "gzip"];
    let b = new pq.WriterPropertiesBuilder().setCompression(codec);
    if (o.dictionary !== undefined) b = b.setDictionaryEnabled(o.dictionary);
    if (o.dictionaryPageSize !== undefined) b = b.setDictionaryPageSizeLimit(o.dictionaryPageSize);
    if (o.writerVersion !== undefined)
        b = b.setWriterVersion(o.writerVersion === "2" ? pq.WriterVersion.V2 : pq.WriterVersion.V1);
    if (o.rowGroupSize !== undefined) b = b.setMaxRowGroupSize(o.rowGroupSize);
    if (o.pageRows !== undefined) {
        b = b.setWriteBatchSize(o.pageRows);
        if (o.dataPageSize === undefined) b = b.setDataPageSizeLimit(1);
    }
    if (o.dataPageSize !== undefined) b = b.setDataPageSizeLimit(o.dataPageSize);
    if (o.statistics !== undefined) {
        const S = pq.EnabledStatistics;
        b = b.setStatisticsEnabled({ none: S.None, chunk: S.Chunk, page: S.Page }[o.statistics]);
    }
    if (o.encoding !== undefined) {
        const E = pq.Encoding;
        for (const n of names) {
            const int = INT32.has(n) || INT64.has(n);
            const e = o.encoding === "plain" ? E.PLAIN
                : int ? E.DELTA_BINARY_PACKED
                : o.encoding === "delta" ? E.DELTA_BYTE_ARRAY : E.DELTA_LENGTH_BYTE_ARRAY;
            b = b.setColumnEncoding(n, e);
        }
    }
    return b.build();
}

// The text flow log IN as { names, columns }: the header's names with '_' for '-',
// and one array a column (null for '-'; numbers, BigInts or strings by type).
function readFlowText(path) {
    let data = readFileSync(path);
    if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
    const lines = data.toString("utf8").split("\n");
    let i = 0;
    while (i < lines.length && lines[i].replace(/\r$/, "") === "") i++;
    if (i === lines.length) throw new Error(`${path}: no header line`);
    const header = lines[i].replace(/\r$/, "").split(" ");
    const names = header.map((h, k) => {
        if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(h))
            throw new Error(`${path}:${i + 1}: field ${k + 1} of the header, '${h}', is not a field name`);
        return h.replace(/-/g, "_");
    });
    if (new Set(names).size !== names.length) throw new Error(`${path}:${i + 1}: a field named twice`);
    const columns = names.map(() => []);
    for (i++; i < lines.length; i++) {
        const line = lines[i].replace(/\r$/, "");
        if (line === "") continue;
        const f = line.split(" ");
        if (f.length !== names.length)
            throw new Error(`${path}:${i + 1}: ${f.length} fields, the header has ${names.length}`);
        for (let k = 0; k < f.length; k++) {
            const v = f[k], n = names[k];
            let x;
            if (v === "-") x = null;
            else if (v === "") throw new Error(`${path}:${i + 1}: field ${n} is empty`);
            else if (INT32.has(n) || INT64.has(n)) {
                if (!/^-?[0-9]+$/.test(v)) throw new Error(`${path}:${i + 1}: ${n} '${v}' is not an integer`);
                const big = BigInt(v);
                const bits = INT32.has(n) ? 32n : 64n;
                if (big < -(1n << (bits - 1n)) || big >= 1n << (bits - 1n))
                    throw new Error(`${path}:${i + 1}: ${n} ${v} does not fit INT${bits}`);
                x = INT32.has(n) ? Number(big) : big;
            } else x = v;
            columns[k].push(x);
        }
    }
    return { names, columns };
}

function main() {
    let o;
    try {
        o = parseArgs(process.argv.slice(2));
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`write.mjs: ${e.message}\n${USAGE}\n`);
        process.exit(2);
    }
    const { pq, arrow } = load();
    for (let p = 0; p < o.files.length; p += 2) {
        const [inPath, outPath] = [o.files[p], o.files[p + 1]];
        const { names, columns } = readFlowText(inPath);
        const vectors = {};
        names.forEach((n, k) => {
            const type = INT32.has(n) ? new arrow.Int32() : INT64.has(n) ? new arrow.Int64() : new arrow.Utf8();
            vectors[n] = arrow.vectorFromArray(columns[k], type);
        });
        const table = new arrow.Table(vectors);
        if (table.numRows !== (columns[0]?.length ?? 0) || table.schema.fields.some((f) => !f.nullable))
            throw new Error(`${inPath}: apache-arrow built a table unlike the input`);
        const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));
        const bytes = pq.writeParquet(wasmTable, properties(pq, o, names));
        writeFileSync(outPath, bytes);
    }
}

try {
    main();
} catch (e) {
    process.stderr.write(`write.mjs: ${e?.message ?? e}\n`);
    process.exit(1);
}
