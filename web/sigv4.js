// AWS Signature Version 4 for the browser (WebCrypto), for the GuardDuty
// REST API: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//
// sign() returns the headers to send: Authorization, X-Amz-Date,
// X-Amz-Security-Token (with a session token) and the signed Content-Type.
// The Host header is signed but set by the browser (it is location.host for
// a same-origin request), so the caller passes the host it will reach.

const enc = new TextEncoder();

function hex(buf) {
    const b = new Uint8Array(buf);
    let s = "";
    for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, "0");
    return s;
}

export async function sha256Hex(data) {
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function hmac(key, msg) {
    const k = await crypto.subtle.importKey(
        "raw", typeof key === "string" ? enc.encode(key) : key,
        { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return crypto.subtle.sign("HMAC", k, enc.encode(msg));
}

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~
// percent-encoded (upper-case hex); "/" kept when keepSlash.
export function uriEncode(s, keepSlash) {
    const bytes = enc.encode(s);
    let out = "";
    for (const c of bytes) {
        const ch = String.fromCharCode(c);
        if (/[A-Za-z0-9\-_.~]/.test(ch) || (keepSlash && ch === "/")) out += ch;
        else out += "%" + c.toString(16).toUpperCase().padStart(2, "0");
    }
    return out;
}

// The canonical URI of a path as sent (already percent-encoded): every
// service but S3 encodes it once more (botocore's SigV4Auth does the same).
export function canonicalUri(path) {
    return uriEncode(path || "/", true);
}

// query: array of [key, value] pairs, decoded.
export function canonicalQuery(query) {
    return (query || [])
        .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
        .map(([k, v]) => k + "=" + v)
        .join("&");
}

// "20260105T000000Z" of a Date.
export function amzDate(d) {
    return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

// req: {method, host, path, query: [[k, v]...], headers: {name: value},
//       body: string}
// cred: {accessKeyId, secretAccessKey, sessionToken?}
// Returns {headers, canonicalRequest, stringToSign, signature}.
export async function sign(req, cred, region, service, date) {
    const t = amzDate(date || new Date());
    const day = t.slice(0, 8);
    const headers = {};
    for (const [k, v] of Object.entries(req.headers || {})) headers[k.toLowerCase()] = String(v);
    headers["host"] = req.host;
    headers["x-amz-date"] = t;
    if (cred.sessionToken) headers["x-amz-security-token"] = cred.sessionToken;
    const names = Object.keys(headers).sort();
    const canonHeaders = names
        .map((n) => n + ":" + headers[n].trim().replace(/\s+/g, " ") + "\n")
        .join("");
    const signed = names.join(";");
    const payloadHash = await sha256Hex(req.body || "");
    const canonicalRequest = [
        req.method.toUpperCase(), canonicalUri(req.path), canonicalQuery(req.query),
        canonHeaders, signed, payloadHash,
    ].join("\n");
    const scope = `${day}/${region}/${service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", t, scope, await sha256Hex(canonicalRequest)].join("\n");
    let k = await hmac("AWS4" + cred.secretAccessKey, day);
    k = await hmac(k, region);
    k = await hmac(k, service);
    k = await hmac(k, "aws4_request");
    const signature = hex(await hmac(k, stringToSign));
    const out = {};
    for (const n of names) if (n !== "host") out[n] = headers[n];
    out["authorization"] =
        `AWS4-HMAC-SHA256 Credential=${cred.accessKeyId}/${scope}, ` +
        `SignedHeaders=${signed}, Signature=${signature}`;
    return { headers: out, canonicalRequest, stringToSign, signature };
}
