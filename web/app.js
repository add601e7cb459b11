// The coalmine console: findings, a finding's detail, a summary and the
// detector, all through the GuardDuty REST API of this origin (api.js).
// No framework and no build step; the page runs under
// Content-Security-Policy default-src 'self' (no inline code or styles).

import { ApiError, GuardDuty } from "./api.js";

const PLACEHOLDER_KEY = "AKIACOALMINECONSOLE0";
const PLACEHOLDER_SECRET = "coalmine-console-placeholder-secret";
const STORE = "coalmine.console";

const $ = (id) => document.getElementById(id);

// ---- settings -------------------------------------------------------------

function loadSettings() {
    let s = {};
    try {
        s = JSON.parse(sessionStorage.getItem(STORE) || "{}") || {};
    } catch (e) {
        s = {};
    }
    return {
        accessKeyId: s.accessKeyId || PLACEHOLDER_KEY,
        secretAccessKey: s.secretAccessKey || PLACEHOLDER_SECRET,
        sessionToken: s.sessionToken || "",
        region: s.region || "us-east-1",
        detectorId: s.detectorId || "",
    };
}

function saveSettings(s) {
    sessionStorage.setItem(STORE, JSON.stringify(s));
}

const state = {
    settings: loadSettings(),
    api: null,
    page: { tokens: [""], index: 0, next: null },
    seq: 0, // the latest list request: an older one's answer is dropped
    exactType: false, // the type field holds one whole type (a summary link), not a prefix
    selected: new Set(),
};

function client() {
    state.api = new GuardDuty(state.settings);
    return state.api;
}

// ---- messages -------------------------------------------------------------

function showError(e) {
    const box = $("error");
    box.replaceChildren();
    if (e instanceof ApiError) {
        const code = document.createElement("strong");
        code.className = "code";
        code.textContent = e.code;
        box.append(code, `: ${e.message}`);
        if (e.op) box.append(` (${e.op}, HTTP ${e.status})`);
    } else {
        box.textContent = String(e && e.message ? e.message : e);
    }
    box.hidden = false;
}

function clearError() {
    $("error").hidden = true;
    $("error").replaceChildren();
}

function status(text) {
    $("status").textContent = text;
}

// ---- formatting -----------------------------------------------------------

export function severityLabel(sev) {
    if (sev >= 9) return "Critical";
    if (sev >= 7) return "High";
    if (sev >= 4) return "Medium";
    return "Low";
}

function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
}

function sevBadge(sev) {
    const label = severityLabel(sev);
    const b = el("span", `${label} ${Number(sev).toFixed(1)}`, "sev sev-" + label.toLowerCase());
    return b;
}

function when(v) {
    if (v === undefined || v === null || v === "") return "—";
    const d = typeof v === "number" ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
    return isNaN(d) ? String(v) : d.toISOString().replace(".000Z", "Z");
}

// The resource a finding is about, as "type id".
export function resourceOf(f) {
    const r = f.resource || {};
    if (r.instanceDetails && r.instanceDetails.instanceId)
        return ["Instance", r.instanceDetails.instanceId];
    if (r.accessKeyDetails)
        return ["AccessKey", r.accessKeyDetails.userName
            ? `${r.accessKeyDetails.userName} (${r.accessKeyDetails.accessKeyId || "no key"})`
            : r.accessKeyDetails.accessKeyId || ""];
    if (Array.isArray(r.s3BucketDetails) && r.s3BucketDetails.length)
        return ["S3Bucket", r.s3BucketDetails.map((b) => b.name).join(", ")];
    return [r.resourceType || "—", ""];
}

// The remote party of the finding's action: IP, domain, API.
export function actorOf(f) {
    const a = (f.service && f.service.action) || {};
    const ip = (d) => d && (d.ipAddressV4 || d.ipAddressV6);
    const geo = (d) => (d && d.country && d.country.countryName) ? ` (${d.country.countryName})` : "";
    const org = (d) => (d && d.organization && (d.organization.asnOrg || d.organization.org))
        ? `, ${d.organization.asnOrg || d.organization.org}` : "";
    const out = [];
    if (a.awsApiCallAction) {
        const c = a.awsApiCallAction;
        if (ip(c.remoteIpDetails)) out.push(["Remote IP", ip(c.remoteIpDetails) + geo(c.remoteIpDetails) + org(c.remoteIpDetails)]);
        if (c.domainDetails && c.domainDetails.domain) out.push(["Domain", c.domainDetails.domain]);
        out.push(["API", `${c.serviceName || ""} ${c.api || ""}`.trim()]);
        if (c.callerType) out.push(["Caller type", c.callerType]);
        if (c.errorCode) out.push(["Error code", c.errorCode]);
        if (c.userAgent) out.push(["User agent", c.userAgent]);
    }
    if (a.networkConnectionAction) {
        const n = a.networkConnectionAction;
        out.push(["Remote IP", (ip(n.remoteIpDetails) || "—") + geo(n.remoteIpDetails) + org(n.remoteIpDetails)]);
        out.push(["Connection", `${n.connectionDirection || ""} ${n.protocol || ""} ` +
            `local port ${(n.localPortDetails || {}).port ?? "—"}, remote port ${(n.remotePortDetails || {}).port ?? "—"}`]);
    }
    if (a.portProbeAction) {
        const ps = a.portProbeAction.portProbeDetails || [];
        const ips = [...new Set(ps.map((p) => ip(p.remoteIpDetails)).filter(Boolean))];
        const ports = [...new Set(ps.map((p) => (p.localPortDetails || {}).port).filter((x) => x !== undefined))];
        out.push(["Remote IP", ips.join(", ") || "—"]);
        out.push(["Probed ports", ports.join(", ") || "—"]);
    }
    if (a.dnsRequestAction) {
        out.push(["Domain", a.dnsRequestAction.domain || "—"]);
        if (a.dnsRequestAction.protocol) out.push(["Protocol", a.dnsRequestAction.protocol]);
    }
    if (a.kubernetesApiCallAction && ip(a.kubernetesApiCallAction.remoteIpDetails))
        out.push(["Remote IP", ip(a.kubernetesApiCallAction.remoteIpDetails)]);
    return out;
}

// service.additionalInfo: {value: "<JSON text>", type}. Returns the parsed
// value (or the raw text when it is not JSON) and coalmine's evidence list.
export function additionalInfo(f) {
    const ai = (f.service && f.service.additionalInfo) || {};
    let v = ai.value;
    if (typeof v === "string") {
        try {
            v = JSON.parse(v);
        } catch (e) {
            return { info: { value: v }, evidence: [] };
        }
    }
    if (v === null || typeof v !== "object") return { info: v === undefined ? {} : { value: v }, evidence: [] };
    const info = { ...v };
    let evidence = [];
    if (info.coalmine && Array.isArray(info.coalmine.evidence)) {
        evidence = info.coalmine.evidence;
        const rest = { ...info.coalmine };
        delete rest.evidence;
        if (Object.keys(rest).length) info.coalmine = rest;
        else delete info.coalmine;
    }
    return { info, evidence };
}

function fillFacts(dl, pairs) {
    dl.replaceChildren();
    for (const [k, v] of pairs) {
        dl.append(el("dt", k));
        const dd = el("dd");
        if (v instanceof Node) dd.append(v);
        else dd.textContent = v === undefined || v === null || v === "" ? "—" : String(v);
        dl.append(dd);
    }
}

// ---- criteria -------------------------------------------------------------

const SEVERITY = {
    low: { greaterThanOrEqual: 1, lessThan: 4 },
    medium: { greaterThanOrEqual: 4, lessThan: 7 },
    high: { greaterThanOrEqual: 7, lessThan: 9 },
    critical: { greaterThanOrEqual: 9 },
    "medium+": { greaterThanOrEqual: 4 },
    "high+": { greaterThanOrEqual: 7 },
};

// The FindingCriteria of the filter form's values. ListFindings takes no
// wildcard (GuardDuty allows "matches" in filters only), so a type prefix is
// sent as the list of the types it names (types, from typesWithPrefix).
export function criteriaOf(form, types) {
    const c = {};
    if (form.severity && SEVERITY[form.severity]) c.severity = { ...SEVERITY[form.severity] };
    if (types) c.type = { equals: types };
    const account = (form.account || "").trim();
    if (account) c.accountId = { equals: [account] };
    const res = (form.resource || "").trim();
    if (res) {
        let field = "resource.s3BucketDetails.name";
        if (/^i-[0-9a-f]+$/.test(res)) field = "resource.instanceDetails.instanceId";
        else if (/^eni-[0-9a-f]+$/.test(res)) field = "resource.instanceDetails.networkInterfaces.networkInterfaceId";
        else if (/^(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}$/.test(res)) field = "resource.accessKeyDetails.accessKeyId";
        c[field] = { equals: [res] };
    }
    c["service.archived"] = { equals: [form.archived ? "true" : "false"] };
    return { criterion: c };
}

function formValues() {
    const f = $("filter-form");
    return {
        severity: f.severity.value,
        type: f.type.value,
        account: f.account.value,
        resource: f.resource.value,
        archived: f.archived.checked,
        sort: f.sort.value,
        size: Number(f.size.value),
    };
}

// ---- findings list --------------------------------------------------------

const MAX_TYPES = 50; // values of one equals condition

// The finding types of the findings matching criteria whose name starts with
// prefix (case-insensitive), from GetFindingsStatistics grouped by type.
async function typesWithPrefix(criteria, prefix, exact) {
    const st = await state.api.statistics(state.settings.detectorId,
        { groupBy: "FINDING_TYPE", orderBy: "DESC", maxResults: 100, findingCriteria: criteria });
    const p = prefix.toLowerCase();
    const types = ((st.findingStatistics || {}).groupedByFindingType || [])
        .map((t) => t.findingType)
        .filter((t) => typeof t === "string" && (exact ? t === prefix : t.toLowerCase().startsWith(p)));
    if (types.length > MAX_TYPES)
        throw new ApiError(0, "TooManyTypes", `"${prefix}" names ${types.length} finding types; ` +
            `a list can select at most ${MAX_TYPES}: make the prefix longer`, "ListFindings");
    return types.sort();
}

function showCount(text, total) {
    $("list-count").textContent = text;
    if (total === null) delete $("list-count").dataset.total;
    else $("list-count").dataset.total = String(total);
}

async function loadList(keepPage) {
    clearError();
    if (!keepPage) state.page = { tokens: [""], index: 0, next: null };
    state.selected.clear();
    updateBulk();
    const v = formValues();
    const [attr, order] = v.sort.split(":");
    const body = $("findings-body");
    const seq = ++state.seq;
    status("Loading findings…");
    $("findings-table").setAttribute("aria-busy", "true");
    try {
        const prefix = v.type.trim();
        if (prefix && !keepPage) state.page.types = await typesWithPrefix(criteriaOf(v, null), prefix, state.exactType);
        const types = prefix ? state.page.types : null;
        if (seq !== state.seq) return;
        if (types && types.length === 0) {
            body.replaceChildren();
            showCount(`No ${v.archived ? "archived" : "current"} finding has a type starting with "${prefix}"`, 0);
            $("page-no").textContent = "Page 1";
            $("page-prev").disabled = true;
            $("page-next").disabled = true;
            status("");
            return;
        }
        const criteria = criteriaOf(v, types);
        const req = {
            findingCriteria: criteria,
            sortCriteria: { attributeName: attr, orderBy: order },
            maxResults: v.size,
        };
        const token = state.page.tokens[state.page.index];
        if (token) req.nextToken = token;
        const [list, stats] = await Promise.all([
            state.api.listFindings(state.settings.detectorId, req),
            state.api.statistics(state.settings.detectorId,
                { findingStatisticTypes: ["COUNT_BY_SEVERITY"], findingCriteria: criteria }),
        ]);
        const ids = list.findingIds || [];
        state.page.next = list.nextToken || null;
        let findings = [];
        if (ids.length) {
            const got = await state.api.getFindings(state.settings.detectorId, ids);
            const byId = new Map((got.findings || []).map((f) => [f.id, f]));
            findings = ids.map((id) => byId.get(id)).filter(Boolean);
        }
        if (seq !== state.seq) return;
        const counts = ((stats.findingStatistics || {}).countBySeverity) || {};
        const total = Object.values(counts).reduce((a, b) => a + Number(b), 0);
        body.replaceChildren(...findings.map(row));
        const first = state.page.index * v.size;
        showCount(findings.length
            ? `Showing ${first + 1}–${first + findings.length} of ${total} ${v.archived ? "archived" : "current"} findings`
            : `No ${v.archived ? "archived" : "current"} findings match`, total);
        $("page-no").textContent = `Page ${state.page.index + 1}`;
        $("page-prev").disabled = state.page.index === 0;
        $("page-next").disabled = !state.page.next;
        $("select-all").checked = false;
        status("");
    } catch (e) {
        if (seq !== state.seq) return;
        body.replaceChildren();
        showCount("", null);
        status("");
        showError(e);
    } finally {
        if (seq === state.seq) $("findings-table").setAttribute("aria-busy", "false");
    }
}

function row(f) {
    const tr = el("tr");
    tr.dataset.id = f.id;
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.className = "sel";
    cb.value = f.id;
    cb.setAttribute("aria-label", `Select ${f.type} ${f.id}`);
    const td0 = el("td");
    td0.append(cb);
    const tdSev = el("td");
    tdSev.append(sevBadge(f.severity));
    const tdType = el("td");
    const a = el("a", f.type);
    a.href = "#/finding/" + encodeURIComponent(f.id);
    a.title = f.title || "";
    tdType.append(a);
    const [rtype, rid] = resourceOf(f);
    tr.append(td0, tdSev, tdType, el("td", rid ? `${rtype} ${rid}` : rtype), el("td", f.accountId),
        el("td", f.region), el("td", (f.service || {}).count ?? "", "num"),
        el("td", when((f.service || {}).eventLastSeen || f.updatedAt)));
    return tr;
}

function updateBulk() {
    const n = state.selected.size;
    $("bulk-archive").disabled = n === 0 || formValues().archived;
    $("bulk-unarchive").disabled = n === 0 || !formValues().archived;
}

async function bulk(action) {
    const ids = [...state.selected];
    if (!ids.length) return;
    clearError();
    try {
        if (action === "archive") await state.api.archive(state.settings.detectorId, ids);
        else await state.api.unarchive(state.settings.detectorId, ids);
        await loadList(true);
        status(`${action === "archive" ? "Archived" : "Unarchived"} ${ids.length} finding${ids.length > 1 ? "s" : ""}.`);
    } catch (e) {
        showError(e);
    }
}

// ---- one finding ----------------------------------------------------------

async function loadFinding(id) {
    clearError();
    status("Loading finding…");
    try {
        const got = await state.api.getFindings(state.settings.detectorId, [id]);
        const f = (got.findings || [])[0];
        if (!f) throw new ApiError(404, "NotFound", `no finding with id ${id}`, "GetFindings");
        renderFinding(f);
        status("");
    } catch (e) {
        status("");
        showError(e);
    }
}

export function renderFinding(f) {
    state.finding = f;
    const s = f.service || {};
    $("h-finding").textContent = f.type;
    $("d-title").textContent = f.title || "";
    const [rtype, rid] = resourceOf(f);
    const facts = [
        ["Type", f.type],
        ["Severity", sevBadge(f.severity)],
        ["Finding ID", f.id],
        ["Description", f.description],
        ["Account", f.accountId],
        ["Region", f.region],
        ["Resource type", rtype],
        ["Resource", rid],
        ["Resource role", s.resourceRole],
        ...actorOf(f),
        ["Action type", (s.action || {}).actionType],
        ["Count", s.count],
        ["First seen", when(s.eventFirstSeen)],
        ["Last seen", when(s.eventLastSeen)],
        ["Created", when(f.createdAt)],
        ["Updated", when(f.updatedAt)],
        ["Archived", s.archived ? "yes" : "no"],
        ["Feedback", s.userFeedback || "none"],
    ];
    fillFacts($("d-facts"), facts);
    const { info, evidence } = additionalInfo(f);
    fillFacts($("d-info"), Object.entries(info).map(([k, v]) =>
        [k, typeof v === "object" && v !== null ? JSON.stringify(v) : v]));
    const tb = $("d-evidence").querySelector("tbody");
    tb.replaceChildren(...evidence.map((e) => {
        const tr = el("tr");
        const path = el("td", e.file || e.path || e.object || "");
        path.className = "path";
        tr.append(path, el("td", e.line ?? "", "num"), el("td", e.offset ?? "", "num"),
            el("td", e.length ?? "", "num"));
        return tr;
    }));
    if (!evidence.length) {
        const tr = el("tr");
        const td = el("td", "No evidence records in this finding.");
        td.colSpan = 4;
        tr.append(td);
        tb.append(tr);
    }
    $("d-json").textContent = JSON.stringify(f, null, 2);
    $("d-archive").hidden = !!s.archived;
    $("d-unarchive").hidden = !s.archived;
}

async function findingAction(kind) {
    const f = state.finding;
    if (!f) return;
    clearError();
    const det = state.settings.detectorId;
    try {
        if (kind === "archive") await state.api.archive(det, [f.id]);
        else if (kind === "unarchive") await state.api.unarchive(det, [f.id]);
        else await state.api.feedback(det, [f.id], kind, $("d-comments").value.trim());
        const done = { archive: "Archived", unarchive: "Unarchived", USEFUL: "Marked useful",
            NOT_USEFUL: "Marked not useful" }[kind];
        await loadFinding(f.id);
        status(`${done}: ${f.id}`);
    } catch (e) {
        showError(e);
    }
}

// ---- summary and detector -------------------------------------------------

async function loadSummary() {
    clearError();
    const det = state.settings.detectorId;
    const current = { criterion: { "service.archived": { equals: ["false"] } } };
    status("Loading summary…");
    try {
        const [bySev, byType] = await Promise.all([
            state.api.statistics(det, { findingStatisticTypes: ["COUNT_BY_SEVERITY"], findingCriteria: current }),
            state.api.statistics(det, { groupBy: "FINDING_TYPE", orderBy: "DESC", maxResults: 100, findingCriteria: current }),
        ]);
        const counts = (bySev.findingStatistics || {}).countBySeverity || {};
        const buckets = { Critical: 0, High: 0, Medium: 0, Low: 0 };
        for (const [sev, n] of Object.entries(counts)) buckets[severityLabel(Number(sev))] += Number(n);
        $("sum-severity").querySelector("tbody").replaceChildren(...Object.entries(buckets).map(([k, n]) => {
            const tr = el("tr");
            const a = el("a", k);
            a.href = "#/findings?severity=" + k.toLowerCase();
            const td = el("td");
            td.append(a);
            tr.append(td, el("td", n, "num"));
            return tr;
        }));
        const types = (byType.findingStatistics || {}).groupedByFindingType || [];
        $("sum-type").querySelector("tbody").replaceChildren(...types.map((t) => {
            const tr = el("tr");
            const a = el("a", t.findingType);
            a.href = "#/findings?type=" + encodeURIComponent(t.findingType);
            const td = el("td");
            td.append(a);
            tr.append(td, el("td", t.totalFindings, "num"), el("td", when(t.lastGeneratedAt)));
            return tr;
        }));
        status("");
    } catch (e) {
        status("");
        showError(e);
    }
}

async function loadDetector() {
    clearError();
    status("Loading detector…");
    try {
        const d = await state.api.getDetector(state.settings.detectorId);
        fillFacts($("det-facts"), [
            ["Detector ID", state.settings.detectorId],
            ["Status", d.status],
            ["Finding publishing frequency", d.findingPublishingFrequency],
            ["Service role", d.serviceRole],
            ["Created", when(d.createdAt)],
            ["Updated", when(d.updatedAt)],
        ]);
        const rows = [];
        const ds = d.dataSources || {};
        const flat = (name, v) => {
            if (v && typeof v === "object" && "status" in v) rows.push([name, v.status]);
            else if (v && typeof v === "object")
                for (const [k, w] of Object.entries(v)) flat(`${name}.${k}`, w);
        };
        for (const [k, v] of Object.entries(ds)) flat(k, v);
        for (const f of d.features || []) rows.push([f.name, f.status]);
        $("det-features").querySelector("tbody").replaceChildren(...rows.map(([n, s]) => {
            const tr = el("tr");
            tr.append(el("td", n), el("td", s));
            return tr;
        }));
        fillFacts($("det-tags"), Object.entries(d.tags || {}));
        status("");
    } catch (e) {
        status("");
        showError(e);
    }
}

// ---- connection and routing -----------------------------------------------

async function connect() {
    client();
    const s = state.settings;
    $("conn-state").textContent = `${s.accessKeyId === PLACEHOLDER_KEY ? "placeholder key" : s.accessKeyId} · ${s.region}`;
    try {
        const r = await state.api.listDetectors();
        const ids = r.detectorIds || [];
        const sel = $("s-detector");
        sel.replaceChildren(...ids.map((id) => {
            const o = el("option", id);
            o.value = id;
            return o;
        }));
        if (!ids.includes(s.detectorId)) s.detectorId = ids[0] || "";
        sel.value = s.detectorId;
        if (!s.detectorId) throw new ApiError(404, "NoDetector", "the server has no detector in this region", "ListDetectors");
        $("conn-state").textContent += ` · detector ${s.detectorId}`;
        return true;
    } catch (e) {
        showError(e);
        $("settings").open = true;
        return false;
    }
}

function show(view) {
    for (const v of ["findings", "finding", "summary", "detector"]) $("view-" + v).hidden = v !== view;
    for (const a of document.querySelectorAll("[data-nav]")) {
        if (a.dataset.nav === view || (view === "finding" && a.dataset.nav === "findings"))
            a.setAttribute("aria-current", "page");
        else a.removeAttribute("aria-current");
    }
}

async function route() {
    if (!state.settings.detectorId) return;
    const h = location.hash || "#/findings";
    const [path, qs] = h.slice(1).split("?");
    if (path.startsWith("/finding/")) {
        show("finding");
        await loadFinding(decodeURIComponent(path.slice("/finding/".length)));
    } else if (path === "/summary") {
        show("summary");
        await loadSummary();
    } else if (path === "/detector") {
        show("detector");
        await loadDetector();
    } else {
        show("findings");
        if (qs) {
            const p = new URLSearchParams(qs);
            const f = $("filter-form");
            f.reset();
            if (p.has("severity")) f.severity.value = p.get("severity");
            if (p.has("type")) {
                f.type.value = p.get("type");
                state.exactType = true;
            }
            history.replaceState(null, "", "#/findings");
        }
        await loadList(false);
    }
    document.body.dataset.ready = "1";
}

function wire() {
    const f = $("settings-form");
    const s = state.settings;
    f.accessKeyId.value = s.accessKeyId;
    f.secretAccessKey.value = s.secretAccessKey;
    f.sessionToken.value = s.sessionToken;
    f.region.value = s.region;
    f.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        Object.assign(state.settings, {
            accessKeyId: f.accessKeyId.value.trim(),
            secretAccessKey: f.secretAccessKey.value,
            sessionToken: f.sessionToken.value.trim(),
            region: f.region.value.trim(),
            detectorId: f.detectorId.value,
        });
        saveSettings(state.settings);
        clearError();
        if (await connect()) {
            saveSettings(state.settings);
            $("settings").open = false;
            await route();
        }
    });
    $("filter-form").addEventListener("submit", (ev) => {
        ev.preventDefault();
        loadList(false);
    });
    $("filter-form").addEventListener("reset", () => {
        state.exactType = false;
        setTimeout(() => loadList(false), 0);
    });
    $("f-type").addEventListener("input", () => {
        state.exactType = false;
    });
    $("f-archived").addEventListener("change", () => loadList(false));
    $("page-next").addEventListener("click", () => {
        if (!state.page.next) return;
        state.page.tokens[state.page.index + 1] = state.page.next;
        state.page.index++;
        loadList(true);
    });
    $("page-prev").addEventListener("click", () => {
        if (state.page.index === 0) return;
        state.page.index--;
        loadList(true);
    });
    $("findings-body").addEventListener("change", (ev) => {
        const cb = ev.target;
        if (!cb.classList.contains("sel")) return;
        if (cb.checked) state.selected.add(cb.value);
        else state.selected.delete(cb.value);
        updateBulk();
    });
    $("select-all").addEventListener("change", (ev) => {
        for (const cb of document.querySelectorAll("#findings-body .sel")) {
            cb.checked = ev.target.checked;
            if (cb.checked) state.selected.add(cb.value);
            else state.selected.delete(cb.value);
        }
        updateBulk();
    });
    $("bulk-archive").addEventListener("click", () => bulk("archive"));
    $("bulk-unarchive").addEventListener("click", () => bulk("unarchive"));
    $("d-archive").addEventListener("click", () => findingAction("archive"));
    $("d-unarchive").addEventListener("click", () => findingAction("unarchive"));
    $("d-useful").addEventListener("click", () => findingAction("USEFUL"));
    $("d-notuseful").addEventListener("click", () => findingAction("NOT_USEFUL"));
    window.addEventListener("hashchange", route);
}

async function main() {
    wire();
    if (await connect()) await route();
    else document.body.dataset.ready = "1";
}

main();
