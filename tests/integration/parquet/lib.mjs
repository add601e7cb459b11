// Shared by write.mjs and read.mjs: loads parquet-wasm and apache-arrow from where
// scripts/install-parquet-deps put them, and knows the flow-log columns' types.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..", "..");

// The node_modules to use: $PARQUET_NPM_DIR, else var/cache/parquet-npm (what
// scripts/install-parquet-deps installs), else one next to this file (npm ci here).
function npmDir() {
    const dirs = [process.env.PARQUET_NPM_DIR, join(ROOT, "var", "cache", "parquet-npm"), HERE];
    for (const d of dirs) {
        if (d && existsSync(join(d, "node_modules", "parquet-wasm", "package.json")) &&
            existsSync(join(d, "node_modules", "apache-arrow", "package.json")))
            return d;
    }
    throw new Error("parquet-wasm and apache-arrow are not installed: run scripts/install-parquet-deps");
}

// parquet-wasm's "node" entry (CommonJS; loads its .wasm synchronously, no init call)
// and apache-arrow, resolved through their package.json exports.
export function load() {
    const require = createRequire(join(npmDir(), "package.json"));
    return { pq: require("parquet-wasm"), arrow: require("apache-arrow") };
}

// AWS's column types for flow logs in Parquet (Athena's CREATE TABLE for them):
// int for these, bigint for those, string for every other field.
export const INT32 = new Set(["version", "srcport", "dstport", "tcp_flags", "traffic_path"]);
export const INT64 = new Set(["protocol", "packets", "bytes", "start", "end"]);
