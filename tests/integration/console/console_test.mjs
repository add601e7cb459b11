// The console in a real browser: Debian's chromium driven by playwright-core,
// against a server started by console_chromium.sh. Prints one line a check,
// "PASS name" or "FAIL name :: why", which the script turns into TAP.
//
// Environment (from console_chromium.sh):
//   PW_MODULE     path of the installed playwright-core package
//   CHROMIUM      the browser binary
//   BASE          server with no credentials configured (any key accepted)
//   BASE_AUTH     server with credentials AUTH_KEY / AUTH_SECRET configured
//   EXPECT_TOTAL  current findings (`coalmine findings list` of the same store)
//   EXPECT_HIGH   current findings with 7 <= severity < 9
//   TYPE_PREFIX, INSTANCE, ACCOUNT and EXPECT_TYPE, EXPECT_INSTANCE,
//   EXPECT_ACCOUNT  a type prefix, an instance id and an account of the world,
//                 and how many current findings each selects
//   SIG_VECTOR    JSON {input, authorization} computed by botocore
//   OUT_DIR       where the archived finding's id is written (archived.id)
//   NO_ARCHIVE    why the archive checks are skipped (the server does not
//                 serve ArchiveFindings), empty when they run
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PW_MODULE);

const env = process.env;
const results = [];
function skip(name, why) {
    results.push(`SKIP ${name} :: ${why}`);
    console.log(results[results.length - 1]);
}
function check(name, cond, why) {
    results.push(cond ? `PASS ${name}` : `FAIL ${name} :: ${why || "false"}`);
    console.log(results[results.length - 1]);
    return cond;
}

const consoleErrors = [];
let expectFailedLoads = false;

async function newPage(browser) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.addInitScript(() => {
        window.__csp = [];
        document.addEventListener("securitypolicyviolation",
            (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on("console", (m) => {
        if (m.type() !== "error") return;
        const t = m.text();
        // Chromium logs every non-2xx fetch; expected only where we provoke one.
        if (expectFailedLoads && /Failed to load resource.*40[13]/.test(t)) return;
        consoleErrors.push(t);
    });
    page.on("pageerror", (e) => consoleErrors.push("pageerror: " + e.message));
    return { ctx, page };
}

async function ready(page) {
    await page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    await page.waitForFunction(() => document.getElementById("status").textContent === "",
        null, { timeout: 15000 });
}

// Set the filter form and apply it.
async function apply(page, f) {
    await page.selectOption("#f-severity", f.severity || "");
    await page.fill("#f-type", f.type || "");
    await page.fill("#f-account", f.account || "");
    await page.fill("#f-resource", f.resource || "");
    await page.selectOption("#f-sort", f.sort || "updatedAt:DESC");
    await page.selectOption("#f-size", "50");
    await page.click("#filter-form button[type=submit]");
    await ready(page);
    return Number(await page.getAttribute("#list-count", "data-total"));
}

async function rows(page) {
    return page.$$eval("#findings-body tr", (trs) => trs.map((tr) => ({
        id: tr.dataset.id,
        sev: tr.querySelector(".sev").textContent,
        type: tr.querySelector("a").textContent,
    })));
}

async function main() {
    const browser = await chromium.launch({
        executablePath: env.CHROMIUM, headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--no-proxy-server"],
    });
    try {
        const { page } = await newPage(browser);
        const resp = await page.goto(env.BASE + "/", { waitUntil: "load" });
        const h = resp.headers();
        check("/ leads to /console/", page.url() === env.BASE + "/console/", page.url());
        check("CSP default-src 'self' sent", /default-src 'self'/.test(h["content-security-policy"] || ""),
            h["content-security-policy"]);
        check("nosniff sent", h["x-content-type-options"] === "nosniff", h["x-content-type-options"]);
        await ready(page);

        // SigV4: the console's signer against botocore's signature.
        const vec = JSON.parse(env.SIG_VECTOR);
        const got = await page.evaluate(async (v) => {
            const m = await import("/console/sigv4.js");
            const r = await m.sign(v.input.req, v.input.cred, v.input.region, "guardduty",
                new Date(v.input.date));
            return r.headers.authorization;
        }, vec);
        check("SigV4 signer matches botocore", got === vec.authorization, `${got} != ${vec.authorization}`);

        // Every control has a name a screen reader can say; no inline handler.
        const unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, select, button, a")]
            .filter((e) => !((e.labels && e.labels.length) || e.getAttribute("aria-label") ||
                (e.tagName !== "INPUT" && e.tagName !== "SELECT" && e.textContent.trim())))
            .map((e) => e.outerHTML.slice(0, 80)));
        check("every control is labelled", unlabelled.length === 0, JSON.stringify(unlabelled));
        const inline = await page.evaluate(() => [...document.querySelectorAll("*")].some((e) =>
            [...e.attributes].some((a) => a.name.startsWith("on") || a.name === "style")) ||
            [...document.scripts].some((sc) => !sc.src));
        check("no inline script, handler or style attribute", !inline);

        // The console's pure functions (app.js exports them; importing it
        // again gives the module already running, main() does not run twice).
        const unit = await page.evaluate(async () => {
            const m = await import("/console/app.js");
            const out = {};
            out.labels = [1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(m.severityLabel);
            out.crit = m.criteriaOf({ severity: "high", account: " 123456789012 ", resource: "i-0abc",
                archived: false }, ["A:B/C", "A:B/D"]);
            out.fields = ["eni-0abc", "AKIAABCDEFGHIJKLMNOP", "my-bucket"].map((r) =>
                Object.keys(m.criteriaOf({ resource: r, archived: true }, null).criterion));
            out.archived = m.criteriaOf({ archived: true }, null).criterion["service.archived"];
            out.info = m.additionalInfo({ service: { additionalInfo: { value: JSON.stringify({
                a: 1, coalmine: { evidence: [{ file: "f.gz", line: 2, offset: 10, length: 5 }] } }) } } });
            out.raw = m.additionalInfo({ service: { additionalInfo: { value: "<b>not json" } } });
            out.res = [
                m.resourceOf({ resource: { resourceType: "Instance", instanceDetails: { instanceId: "i-1" } } }),
                m.resourceOf({ resource: { resourceType: "AccessKey", accessKeyDetails: { accessKeyId: "AKIA1", userName: "bob" } } }),
                m.resourceOf({ resource: { resourceType: "S3Bucket", s3BucketDetails: [{ name: "b1" }, { name: "b2" }] } }),
            ];
            out.actor = m.actorOf({ service: { action: { actionType: "AWS_API_CALL", awsApiCallAction: {
                api: "ListBuckets", serviceName: "s3.amazonaws.com",
                remoteIpDetails: { ipAddressV4: "198.51.100.7", country: { countryName: "Nowhere" },
                    organization: { asnOrg: "Example" } } } } } });
            return out;
        });
        const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
        // A finding whose fields hold markup is shown as text, never run.
        const bad = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
        const xss = await page.evaluate(async (b) => {
            const m = await import("/console/app.js");
            m.renderFinding({ id: "x", type: b, title: b, description: b, severity: 5, accountId: b, region: b,
                resource: { resourceType: b, instanceDetails: { instanceId: b } },
                service: { count: b, additionalInfo: { value: JSON.stringify({ k: b,
                    coalmine: { evidence: [{ file: b, line: b, offset: 1, length: 2 }] } }) },
                action: { actionType: b, dnsRequestAction: { domain: b } } } });
            await new Promise((r) => setTimeout(r, 300));
            const v = document.getElementById("view-finding");
            return { imgs: v.querySelectorAll("img, script").length, xss: window.__xss || 0,
                type: document.getElementById("h-finding").textContent,
                file: v.querySelector("#d-evidence td.path").textContent };
        }, bad);
        check("markup in a finding is shown as text, never run", xss.imgs === 0 && xss.xss === 0 &&
            xss.type === bad && xss.file === bad, JSON.stringify(xss));
        check("severity labels follow GuardDuty's bands", eq(unit.labels,
            ["Low", "Low", "Medium", "Medium", "High", "High", "Critical", "Critical"]), JSON.stringify(unit.labels));
        check("criteria of the filter form", eq(unit.crit, { criterion: {
            severity: { greaterThanOrEqual: 7, lessThan: 9 }, type: { equals: ["A:B/C", "A:B/D"] },
            accountId: { equals: ["123456789012"] },
            "resource.instanceDetails.instanceId": { equals: ["i-0abc"] },
            "service.archived": { equals: ["false"] } } }) && eq(unit.archived, { equals: ["true"] }),
            JSON.stringify(unit.crit));
        check("a resource id picks its field", eq(unit.fields.map((f) => f[0]), [
            "resource.instanceDetails.networkInterfaces.networkInterfaceId",
            "resource.accessKeyDetails.accessKeyId", "resource.s3BucketDetails.name"]), JSON.stringify(unit.fields));
        check("additionalInfo: value decoded, evidence apart", eq(unit.info, { info: { a: 1 },
            evidence: [{ file: "f.gz", line: 2, offset: 10, length: 5 }] }) &&
            eq(unit.raw, { info: { value: "<b>not json" }, evidence: [] }), JSON.stringify([unit.info, unit.raw]));
        check("resource and actor of a finding", eq(unit.res, [["Instance", "i-1"], ["AccessKey", "bob (AKIA1)"],
            ["S3Bucket", "b1, b2"]]) && eq(unit.actor, [["Remote IP", "198.51.100.7 (Nowhere), Example"],
            ["API", "s3.amazonaws.com ListBuckets"]]), JSON.stringify([unit.res, unit.actor]));

        // The list: the count, and every page walked.
        const total = Number(await page.getAttribute("#list-count", "data-total"));
        check("list total equals `coalmine findings list`", total === Number(env.EXPECT_TOTAL),
            `${total} != ${env.EXPECT_TOTAL}`);
        let seen = new Set((await rows(page)).map((r) => r.id));
        let pages = 1;
        while (!(await page.isDisabled("#page-next"))) {
            await page.click("#page-next");
            await ready(page);
            for (const r of await rows(page)) seen.add(r.id);
            pages++;
            if (pages > 100) break;
        }
        check(`paging walks every finding (${pages} pages)`, seen.size === Number(env.EXPECT_TOTAL),
            `${seen.size} distinct rows != ${env.EXPECT_TOTAL}`);

        // Type prefix, resource and account criteria, and sorting by severity.
        const byType = await apply(page, { type: env.TYPE_PREFIX });
        const typeRows = await rows(page);
        check(`type prefix ${env.TYPE_PREFIX}: total equals the CLI's`, byType === Number(env.EXPECT_TYPE),
            `${byType} != ${env.EXPECT_TYPE}`);
        check("type prefix shows only those types", typeRows.length > 0 &&
            typeRows.every((r) => r.type.startsWith(env.TYPE_PREFIX)), JSON.stringify(typeRows.map((r) => r.type)));
        const byRes = await apply(page, { resource: env.INSTANCE });
        check(`resource ${env.INSTANCE}: total equals the CLI's`, byRes === Number(env.EXPECT_INSTANCE),
            `${byRes} != ${env.EXPECT_INSTANCE}`);
        const byAcct = await apply(page, { account: env.ACCOUNT });
        check(`account ${env.ACCOUNT}: total equals the CLI's`, byAcct === Number(env.EXPECT_ACCOUNT),
            `${byAcct} != ${env.EXPECT_ACCOUNT}`);
        await apply(page, { sort: "severity:DESC" });
        const sevs = (await rows(page)).map((r) => Number(r.sev.split(" ")[1]));
        check("sorted by severity, highest first", sevs.length > 1 && sevs.every((v, k) => k === 0 || sevs[k - 1] >= v),
            JSON.stringify(sevs));

        // Severity High only.
        const highTotal = await apply(page, { severity: "high" });
        const high = await rows(page);
        check("High filter: total equals the CLI's", highTotal === Number(env.EXPECT_HIGH),
            `${highTotal} != ${env.EXPECT_HIGH}`);
        check("High filter shows only High findings", high.length > 0 && high.every((r) => r.sev.startsWith("High ")),
            JSON.stringify(high.map((r) => r.sev)));

        // Open a finding with the keyboard: type, resource, evidence.
        const first = high[0];
        await page.focus(`#findings-body tr[data-id="${first.id}"] a`);
        await page.keyboard.press("Enter");
        await page.waitForFunction((t) => document.getElementById("h-finding").textContent === t,
            first.type, { timeout: 10000 });
        await ready(page);
        const facts = await page.$eval("#d-facts", (d) => d.textContent);
        const json = JSON.parse(await page.$eval("#d-json", (p) => p.textContent));
        check("detail shows the finding's type", (await page.textContent("#h-finding")) === first.type);
        const rid = (json.resource.instanceDetails || {}).instanceId ||
            (json.resource.accessKeyDetails || {}).accessKeyId ||
            ((json.resource.s3BucketDetails || [])[0] || {}).name;
        check("detail shows the resource", !!rid && facts.includes(rid), `${rid} not in facts`);
        const ai = JSON.parse(json.service.additionalInfo.value || "{}");
        const evFiles = ((ai.coalmine || {}).evidence || []).map((e) => e.file);
        const evCells = await page.$$eval("#d-evidence tbody td.path", (tds) => tds.map((t) => t.textContent));
        check("detail lists the evidence records (log object, line, offset)",
            evFiles.length > 0 && evFiles.every((f) => evCells.includes(f)),
            `${JSON.stringify(evFiles)} vs ${JSON.stringify(evCells)}`);

        // Archive it, then the default view no longer lists it.
        let archived = 0;
        if (env.NO_ARCHIVE) {
            for (const n of ["detail says archived", "archived finding left the default view",
                "archived view lists it", "Unarchive selected puts it back among the current findings",
                "Archive selected archives it again", "feedback USEFUL shows in the detail"]) skip(n, env.NO_ARCHIVE);
        } else {
            await page.click("#d-archive");
            await page.waitForFunction(() => /^Archived: /.test(document.getElementById("status").textContent),
                null, { timeout: 10000 });
            check("detail says archived", (await page.$eval("#d-facts", (d) => d.textContent)).includes("Archivedyes"));
            writeFileSync(env.OUT_DIR + "/archived.id", first.id + "\n");
            await page.click("#back-link");
            await page.selectOption("#f-severity", "");
            await page.click("#filter-form button[type=submit]");
            await ready(page);
            seen = new Set();
            for (;;) {
                for (const r of await rows(page)) seen.add(r.id);
                if (await page.isDisabled("#page-next")) break;
                await page.click("#page-next");
                await ready(page);
            }
            const after = Number(await page.getAttribute("#list-count", "data-total"));
            check("archived finding left the default view", !seen.has(first.id) && after === Number(env.EXPECT_TOTAL) - 1,
                `present=${seen.has(first.id)} total=${after}`);
            await page.check("#f-archived");
            await ready(page);
            check("archived view lists it", (await rows(page)).some((r) => r.id === first.id));
            // Bulk: unarchive it from the archived view, archive it again from the current one.
            const sel = `#findings-body tr[data-id="${first.id}"] input.sel`;
            await page.check(sel);
            await page.click("#bulk-unarchive");
            await page.waitForFunction(() => /^Unarchived 1 finding/.test(document.getElementById("status").textContent),
                null, { timeout: 10000 });
            await page.waitForFunction((id) => !document.querySelector(`#findings-body tr[data-id="${id}"]`),
                first.id, { timeout: 10000 }).catch(() => {});
            const unarch = !(await rows(page)).some((r) => r.id === first.id);
            await page.uncheck("#f-archived");
            await ready(page);
            const back = Number(await page.getAttribute("#list-count", "data-total"));
            check("Unarchive selected puts it back among the current findings",
                unarch && back === Number(env.EXPECT_TOTAL), `gone=${unarch} total=${back}`);
            // it may be on another page of the current view: find it by its type
            await apply(page, { sort: "updatedAt:DESC" });
            let found = false;
            for (;;) {
                if ((await rows(page)).some((r) => r.id === first.id)) { found = true; break; }
                if (await page.isDisabled("#page-next")) break;
                await page.click("#page-next");
                await ready(page);
            }
            if (found) {
                await page.check(sel);
                await page.click("#bulk-archive");
                await page.waitForFunction(() => /^Archived 1 finding/.test(document.getElementById("status").textContent),
                    null, { timeout: 10000 });
            }
            const again = Number(await page.getAttribute("#list-count", "data-total"));
            check("Archive selected archives it again", found && again === Number(env.EXPECT_TOTAL) - 1,
                `found=${found} total=${again}`);
            archived = 1;
            await page.evaluate((id) => { location.hash = "#/finding/" + id; }, first.id);
            await page.waitForSelector("#view-finding:not([hidden])");
            await ready(page);
            await page.fill("#d-comments", "seen in the console test");
            await page.click("#d-useful");
            await page.waitForFunction(() => /^Marked useful: /.test(document.getElementById("status").textContent),
                null, { timeout: 10000 });
            check("feedback USEFUL shows in the detail", /FeedbackUSEFUL/.test(await page.textContent("#d-facts")),
                await page.textContent("#d-facts"));
        }

        // Summary and detector screens.
        await page.click("a[data-nav=summary]");
        await page.waitForSelector("#view-summary:not([hidden])");
        await ready(page);
        const sevSum = await page.$$eval("#sum-severity tbody td.num", (t) => t.reduce((a, c) => a + Number(c.textContent), 0));
        check("summary counts every current finding by severity", sevSum === Number(env.EXPECT_TOTAL) - archived, `${sevSum}`);
        const sumTypes = await page.$$eval("#sum-type tbody tr", (t) => t.length);
        check("summary lists finding types", sumTypes > 0, `${sumTypes}`);
        const typeSum = await page.$$eval("#sum-type tbody td.num", (t) => t.reduce((a, c) => a + Number(c.textContent), 0));
        check("summary by type adds up to every current finding", typeSum === sevSum, `${typeSum} != ${sevSum}`);
        const last = await page.$eval("#sum-type tbody tr:last-child", (tr) =>
            [tr.querySelector("a").textContent, Number(tr.querySelector("td.num").textContent)]);
        await page.click("#sum-type tbody tr:last-child a");
        await page.waitForSelector("#view-findings:not([hidden])");
        await ready(page);
        const linked = await rows(page);
        check(`a summary type link lists exactly that type (${last[0]})`,
            Number(await page.getAttribute("#list-count", "data-total")) === last[1] &&
            linked.length === last[1] && linked.every((r) => r.type === last[0]),
            JSON.stringify(linked.map((r) => r.type)));
        await page.click("a[data-nav=detector]");
        await page.waitForSelector("#view-detector:not([hidden])");
        await ready(page);
        check("detector view shows its status", /Status\s*ENABLED/.test(await page.textContent("#det-facts")),
            await page.textContent("#det-facts"));
        await page.evaluate(() => { location.hash = "#/finding/00000000000000000000000000000bad"; });
        await page.waitForSelector("#error:not([hidden])", { timeout: 10000 });
        const nf = await page.textContent("#error");
        check("an unknown finding id says so", /NotFound: no finding with id 0+bad/.test(nf), nf);
        const csp = await page.evaluate(() => window.__csp);
        check("no CSP violation (no-credentials server)", csp.length === 0, JSON.stringify(csp));

        // A server with credentials: a wrong secret is refused with the API's code.
        if (env.BASE_AUTH) {
            const { page: p2 } = await newPage(browser);
            expectFailedLoads = true;
            await p2.goto(env.BASE_AUTH + "/console/");
            await p2.waitForSelector("body[data-ready='1']");
            await p2.waitForSelector("#error:not([hidden])", { timeout: 10000 });
            await p2.fill("#s-key", env.AUTH_KEY);
            await p2.fill("#s-secret", env.AUTH_SECRET + "x");
            await p2.click("#settings-form button[type=submit]");
            await p2.waitForFunction(() => /InvalidSignatureException/.test(document.getElementById("error").textContent),
                null, { timeout: 10000 }).catch(() => {});
            const err = await p2.textContent("#error");
            check("wrong secret shows InvalidSignatureException", /InvalidSignatureException/.test(err) &&
                !(await p2.isHidden("#error")), err);
            expectFailedLoads = false;
            await p2.fill("#s-secret", env.AUTH_SECRET);
            await p2.click("#settings-form button[type=submit]");
            await p2.waitForFunction(() => document.getElementById("error").hidden &&
                document.getElementById("list-count").dataset.total !== undefined, null, { timeout: 15000 });
            const t2 = Number(await p2.getAttribute("#list-count", "data-total"));
            check("right secret lists the findings", t2 === Number(env.EXPECT_TOTAL), `${t2}`);
            const csp2 = await p2.evaluate(() => window.__csp);
            check("no CSP violation (credentials server)", csp2.length === 0, JSON.stringify(csp2));
        }
        check("no console errors", consoleErrors.length === 0, consoleErrors.join(" | "));
    } finally {
        await browser.close();
    }
}

main().catch((e) => {
    console.log(`FAIL browser run :: ${String(e && e.stack || e).split("\n").slice(0, 3).join(" ")}`);
    process.exitCode = 1;
});
