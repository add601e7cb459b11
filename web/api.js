// A GuardDuty REST API client (restJson1, API version 2017-11-28) for the
// same origin the console was loaded from, every request signed with SigV4.

import { sign } from "./sigv4.js";

// An error the API (or the network) returned: code is X-Amzn-ErrorType (or
// the body's __type), message the body's message.
export class ApiError extends Error {
    constructor(status, code, message, op) {
        super(message);
        this.status = status;
        this.code = code;
        this.op = op;
    }
}

// cfg: {accessKeyId, secretAccessKey, sessionToken, region}
export class GuardDuty {
    constructor(cfg, origin) {
        this.cfg = cfg;
        this.origin = origin || location.origin;
    }

    async call(op, method, path, body, query) {
        const url = new URL(this.origin);
        const text = body === undefined ? "" : JSON.stringify(body);
        const headers = body === undefined ? {} : { "Content-Type": "application/json" };
        const signed = await sign(
            { method, host: url.host, path, query: query || [], headers, body: text },
            {
                accessKeyId: this.cfg.accessKeyId,
                secretAccessKey: this.cfg.secretAccessKey,
                sessionToken: this.cfg.sessionToken,
            },
            this.cfg.region, "guardduty");
        const qs = (query || [])
            .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v)).join("&");
        let resp;
        try {
            resp = await fetch(this.origin + path + (qs ? "?" + qs : ""), {
                method, headers: signed.headers, body: body === undefined ? undefined : text,
                credentials: "omit", cache: "no-store",
            });
        } catch (e) {
            throw new ApiError(0, "NetworkError", `${op}: ${e.message}`, op);
        }
        const raw = await resp.text();
        let json = null;
        if (raw.length > 0) {
            try {
                json = JSON.parse(raw);
            } catch (e) {
                if (resp.ok) throw new ApiError(resp.status, "InvalidResponse",
                    `${op}: the response is not JSON (${e.message})`, op);
            }
        }
        if (!resp.ok) {
            let code = resp.headers.get("x-amzn-errortype") || (json && json.__type) || "";
            code = code.split(":")[0] || `HTTP${resp.status}`;
            const msg = (json && (json.message || json.Message)) || raw.slice(0, 300) ||
                resp.statusText || "no message";
            throw new ApiError(resp.status, code, msg, op);
        }
        return json || {};
    }

    listDetectors() {
        return this.call("ListDetectors", "GET", "/detector", undefined, [["maxResults", "50"]]);
    }
    getDetector(id) {
        return this.call("GetDetector", "GET", "/detector/" + encodeURIComponent(id));
    }
    listFindings(id, req) {
        return this.call("ListFindings", "POST", `/detector/${encodeURIComponent(id)}/findings`, req);
    }
    getFindings(id, ids) {
        return this.call("GetFindings", "POST", `/detector/${encodeURIComponent(id)}/findings/get`,
            { findingIds: ids });
    }
    statistics(id, req) {
        return this.call("GetFindingsStatistics", "POST",
            `/detector/${encodeURIComponent(id)}/findings/statistics`, req);
    }
    archive(id, ids) {
        return this.call("ArchiveFindings", "POST",
            `/detector/${encodeURIComponent(id)}/findings/archive`, { findingIds: ids });
    }
    unarchive(id, ids) {
        return this.call("UnarchiveFindings", "POST",
            `/detector/${encodeURIComponent(id)}/findings/unarchive`, { findingIds: ids });
    }
    feedback(id, ids, feedback, comments) {
        const body = { findingIds: ids, feedback };
        if (comments) body.comments = comments;
        return this.call("UpdateFindingsFeedback", "POST",
            `/detector/${encodeURIComponent(id)}/findings/feedback`, body);
    }
}
