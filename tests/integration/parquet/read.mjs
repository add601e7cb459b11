// Reads back what write.mjs wrote, to check the writer (not coalmine).
//
// usage: node read.mjs FILE.parquet...
//        node read.mjs --meta FILE.parquet...
//
// Without --meta: each file's rows, read by parquet-wasm, printed as the flow log's
// text form (a header of the column names with '-' for '_', one line a row, '-' for
// null), so `node read.mjs OUT` gives back write.mjs's IN (without blank lines).
//
// --meta: what each file holds, as one JSON object, read here from the footer and
// the page headers (the Thrift compact protocol, decoded below): created_by, rows,
// the schema (physical type, repetition, logical type), and for each row group and
// column chunk its codec, encodings and pages (type, encoding, values; dictionary
// pages included), then a summary: row groups, codecs, pages by type and by
// encoding, the most values in a data page.
import { readFileSync } from "node:fs";
import { load } from "./lib.mjs";

const TYPES = ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"];
const CODECS = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"];
const ENCODINGS = ["PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
    "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"];
const PAGES = ["DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"];
const REPETITION = ["REQUIRED", "OPTIONAL", "REPEATED"];
const LOGICAL = { 1: "STRING", 2: "MAP", 3: "LIST", 4: "ENUM", 5: "DECIMAL", 6: "DATE", 7: "TIME",
    8: "TIMESTAMP", 10: "INTEGER", 11: "UNKNOWN", 12: "JSON", 13: "BSON", 14: "UUID" };
const name = (table, i) => table[i] ?? `#${i}`;

// The Thrift compact protocol, enough for Parquet's metadata: a struct is an object
// keyed by field id; i64 are BigInt; binary is a Uint8Array.
class Compact {
    constructor(buf, pos) { this.b = buf; this.p = pos; }
    byte() {
        if (this.p >= this.b.length) throw new Error(`Thrift data runs past the end at ${this.p}`);
        return this.b[this.p++];
    }
    varint() {
        let r = 0n, s = 0n;
        for (;;) {
            const x = this.byte();
            r |= BigInt(x & 0x7f) << s;
            if (!(x & 0x80)) return r;
            s += 7n;
            if (s > 63n) throw new Error("Thrift varint too long");
        }
    }
    zigzag() { const v = this.varint(); return (v >> 1n) ^ -(v & 1n); }
    value(t) {
        switch (t) {
        case 1: return true;
        case 2: return false;
        case 3: { const x = this.byte(); return x > 127 ? x - 256 : x; }
        case 4: case 5: return Number(this.zigzag());
        case 6: return this.zigzag();
        case 7: {
            if (this.p + 8 > this.b.length) throw new Error("Thrift double runs past the end");
            const d = new DataView(this.b.buffer, this.b.byteOffset + this.p, 8).getFloat64(0, true);
            this.p += 8;
            return d;
        }
        case 8: {
            const n = Number(this.varint());
            if (this.p + n > this.b.length) throw new Error("Thrift binary runs past the end");
            const s = this.b.subarray(this.p, this.p + n);
            this.p += n;
            return s;
        }
        case 9: case 10: {
            const h = this.byte();
            const et = h & 15;
            let n = h >> 4;
            if (n === 15) n = Number(this.varint());
            const a = [];
            for (let i = 0; i < n; i++) a.push(et === 1 || et === 2 ? this.byte() === 1 : this.value(et));
            return a;
        }
        case 11: {
            const n = Number(this.varint());
            const m = [];
            if (n > 0) {
                const kv = this.byte();
                for (let i = 0; i < n; i++) m.push([this.value(kv >> 4), this.value(kv & 15)]);
            }
            return m;
        }
        case 12: return this.struct();
        default: throw new Error(`Thrift type ${t} at ${this.p}`);
        }
    }
    struct() {
        const o = {};
        let last = 0;
        for (;;) {
            const h = this.byte();
            if (h === 0) return o;
            const d = h >> 4;
            const id = d ? last + d : Number(this.zigzag());
            last = id;
            o[id] = this.value(h & 15);
        }
    }
}

const text = (u8) => (u8 ? Buffer.from(u8).toString("utf8") : undefined);

function meta(path) {
    const b = new Uint8Array(readFileSync(path));
    const magic = (at) => text(b.subarray(at, at + 4)) === "PAR1";
    if (b.length < 12 || !magic(0) || !magic(b.length - 4)) throw new Error(`${path}: not a Parquet file`);
    const flen = new DataView(b.buffer, b.byteOffset).getUint32(b.length - 8, true);
    if (flen > b.length - 12) throw new Error(`${path}: footer length ${flen} past the file's start`);
    const fm = new Compact(b, b.length - 8 - flen).struct();
    const schema = (fm[2] ?? []).map((s) => {
        const e = { name: text(s[4]) };
        if (s[1] !== undefined) e.type = name(TYPES, s[1]);
        if (s[3] !== undefined) e.repetition = name(REPETITION, s[3]);
        if (s[5] !== undefined) e.children = s[5];
        if (s[6] !== undefined) e.converted_type = s[6];
        if (s[10] !== undefined) {
            const k = Object.keys(s[10])[0];
            e.logical = LOGICAL[k] ?? `#${k}`;
            if (Number(k) === 10) e.logical += `(${s[10][10][1]},${s[10][10][2] ? "signed" : "unsigned"})`;
        }
        return e;
    });
    const sum = { row_groups: 0, codecs: new Set(), pages: {}, data_page_encodings: {}, max_data_page_values: 0,
        data_pages: 0, dictionary_pages: 0,
        chunks_with_statistics: 0, chunks_with_offset_index: 0, chunks_with_column_index: 0,
        pages_with_statistics: 0 };
    const rowGroups = (fm[4] ?? []).map((rg) => {
        sum.row_groups++;
        return {
            rows: Number(rg[3]),
            columns: (rg[1] ?? []).map((cc) => {
                const m = cc[3];
                const col = {
                    name: (m[3] ?? []).map(text).join("."),
                    type: name(TYPES, m[1]),
                    codec: name(CODECS, m[4]),
                    encodings: (m[2] ?? []).map((x) => name(ENCODINGS, x)),
                    values: Number(m[5]),
                    statistics: m[12] !== undefined,
                    offset_index: cc[4] !== undefined,
                    column_index: cc[6] !== undefined,
                    pages: [],
                };
                if (col.statistics) sum.chunks_with_statistics++;
                if (col.offset_index) sum.chunks_with_offset_index++;
                if (col.column_index) sum.chunks_with_column_index++;
                sum.codecs.add(col.codec);
                const offs = [m[9], m[11]].filter((x) => x !== undefined && x > 0n).map(Number);
                let pos = Math.min(...offs);
                const end = pos + Number(m[7]);
                let dataValues = 0;
                while (pos < end) {
                    const r = new Compact(b, pos);
                    const h = r.struct();
                    const type = name(PAGES, h[1]);
                    const ph = h[5] ?? h[7] ?? h[8];
                    const enc = name(ENCODINGS, h[8] ? ph[4] : ph[2]);
                    const pg = { type, encoding: enc, values: ph[1] };
                    if (h[8]) { pg.nulls = ph[2]; pg.rows = ph[3]; }
                    if (h[8] ? ph[8] : ph[5]) { pg.statistics = true; sum.pages_with_statistics++; }
                    col.pages.push(pg);
                    sum.pages[type] = (sum.pages[type] ?? 0) + 1;
                    if (type === "DICTIONARY_PAGE") sum.dictionary_pages++;
                    else {
                        sum.data_pages++;
                        sum.data_page_encodings[enc] = (sum.data_page_encodings[enc] ?? 0) + 1;
                        sum.max_data_page_values = Math.max(sum.max_data_page_values, ph[1]);
                        dataValues += ph[1];
                    }
                    pos = r.p + h[3];
                }
                if (pos !== end) throw new Error(`${path}: ${col.name}'s pages end at ${pos}, not ${end}`);
                if (dataValues !== col.values)
                    throw new Error(`${path}: ${col.name}'s data pages hold ${dataValues} values, not ${col.values}`);
                return col;
            }),
        };
    });
    sum.codecs = [...sum.codecs];
    return {
        file: path, bytes: b.length, created_by: text(fm[6]), version: fm[1], rows: Number(fm[3]),
        key_value_metadata: Object.fromEntries((fm[5] ?? []).map((kv) => [text(kv[1]), `${kv[2]?.length ?? 0} bytes`])),
        schema, row_groups: rowGroups, summary: sum,
    };
}

let modules;
function rows(path) {
    modules ??= load();
    const { pq, arrow } = modules;
    const t = arrow.tableFromIPC(pq.readParquet(new Uint8Array(readFileSync(path))).intoIPCStream());
    const names = t.schema.fields.map((f) => f.name);
    const cols = names.map((n) => t.getChild(n));
    const out = [names.map((n) => n.replace(/_/g, "-")).join(" ")];
    for (let i = 0; i < t.numRows; i++)
        out.push(cols.map((c) => { const v = c.get(i); return v === null ? "-" : String(v); }).join(" "));
    process.stdout.write(out.join("\n") + "\n");
}

try {
    const args = process.argv.slice(2);
    const metaMode = args[0] === "--meta";
    const files = metaMode ? args.slice(1) : args;
    if (files.length === 0 || files.some((f) => f.startsWith("--"))) {
        process.stderr.write("usage: node read.mjs [--meta] FILE.parquet...\n");
        process.exit(2);
    }
    for (const f of files) {
        if (metaMode) process.stdout.write(JSON.stringify(meta(f), null, 1) + "\n");
        else rows(f);
    }
} catch (e) {
    process.stderr.write(`read.mjs: ${e?.message ?? e}\n`);
    process.exit(1);
}
