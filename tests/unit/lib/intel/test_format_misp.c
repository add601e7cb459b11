/*
 * The MISP readers of lib/intel: MISP event JSON (format_misp.c, "MISP") and
 * MISP CSV exports (format_misp_csv.c, "MISP_CSV"). Hand-written inputs
 * cover every attribute type taken and skipped, the to_ids and deleted
 * rules, every document shape (event, bare event, array, REST responses,
 * feed manifest), bad records (line and reason), deep JSON nesting and
 * callback errors. When $SHARED/data/misp-samples (SHARED defaults to
 * ../shared) is present, every event file gives its network attributes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "intel/format.h"

/* ---- a reader that records what it is given ---- */

#include "format_record.h"
}

/* ---- MISP JSON ---- */

static const char misp_shapes[] =
    /* 1 */
    "{\"Event\": {\"info\": \"Qakbot C2\", \"uuid\": \"e1\",\n"
    /* 2 */ " \"Attribute\": [\n"
    /* 3 */ "  {\"type\": \"ip-dst\", \"value\": \"198.51.100.10\", \"category\": \"Network "
    "activity\", \"to_ids\": true},\n"
    /* 4 */ "  {\"type\": \"ip-src\", \"value\": \" 203.0.113.0/24 \", \"category\": "
    "\"Network activity\", \"to_ids\": \"1\"},\n"
    /* 5 */ "  {\"type\": \"ip-dst|port\", \"value\": \"2001:db8::10|443\", \"category\": "
    "\"Network activity\", \"to_ids\": 1},\n"
    /* 6 */ "  {\"type\": \"domain|ip\", \"value\": \"c2.example.com|198.51.100.11\", "
    "\"category\": \"Network activity\", \"to_ids\": true},\n"
    /* 7 */ "  {\"type\": \"hostname\", \"value\": \"h.example.com\", \"to_ids\": true, "
    "\"deleted\": true},\n"
    /* 8 */ "  {\"type\": \"domain\", \"value\": \"not-ids.example.com\", \"to_ids\": false},\n"
    /* 9 */ "  {\"type\": \"url\", \"value\": \"http://p.example.com/a,b\", \"category\": "
    "\"Payload delivery\", \"to_ids\": true},\n"
    /* 10 */ "  {\"type\": \"uri\", \"value\": \"/gate.php\", \"to_ids\": true},\n"
    /* 11 */ "  {\"type\": \"md5\", \"value\": \"d41d8cd98f00b204e9800998ecf8427e\", \"to_ids\": "
    "true},\n"
    /* 12 */ "  {\"type\": \"ip-src|port\", \"value\": \"198.51.100.12\", \"to_ids\": true},\n"
    /* 13 */ "  {\"type\": \"domain\", \"value\": \"\", \"to_ids\": true},\n"
    /* 14 */ "  \"not an attribute\",\n"
    /* 15 */ "  {\"type\": \"hostname|port\", \"value\": \"h2.example.net|8080\", \"category\": "
    "\"Network activity\", \"to_ids\": true, \"Tag\": [{\"name\": \"misp-galaxy:x\"}]}\n"
    /* 16 */ " ],\n"
    /* 17 */ " \"Object\": [\n"
    /* 18 */ "  {\"name\": \"domain-ip\", \"Attribute\": [\n"
    /* 19 */ "   {\"type\": \"domain\", \"value\": \"obj.example.org\", \"category\": \"Network "
    "activity\", \"to_ids\": true},\n"
    /* 20 */ "   {\"type\": \"ip-dst\", \"value\": \"198.51.100.13\", \"to_ids\": true, "
    "\"deleted\": \"1\"}]},\n"
    /* 21 */ "  {\"name\": \"empty\"},\n"
    /* 22 */ "  7\n"
    /* 23 */ " ]}}\n";

static void test_misp_shapes(void **state)
{
    struct got *g = got_new();
    const struct cm_intel_format *f = &cm_intel_format_misp;
    const char *na = "Network activity", *t = "Qakbot C2";
    size_t i = 0, b = 0;

    (void)state;
    assert_string_equal(f->name, "MISP");
    assert_int_equal(run_str(f, misp_shapes, g), 0);
    item_is(g, i++, CM_IV_IP, "198.51.100.10", "", t, na, 3);
    item_is(g, i++, CM_IV_IP, "203.0.113.0/24", "", t, na, 4);
    item_is(g, i++, CM_IV_IP, "2001:db8::10", "", t, na, 5);
    item_is(g, i++, CM_IV_DOMAIN, "c2.example.com", "", t, na, 6);
    item_is(g, i++, CM_IV_IP, "198.51.100.11", "", t, na, 6);
    item_is(g, i++, CM_IV_URL, "http://p.example.com/a,b", "", t, "Payload delivery", 9);
    item_is(g, i++, CM_IV_DOMAIN, "h2.example.net", "", t, na, 15);
    item_is(g, i++, CM_IV_DOMAIN, "obj.example.org", "", t, na, 19);
    assert_int_equal(g->n, i);

    bad_is(g, b++, 12, "value|port value without '|'");
    bad_is(g, b++, 13, "attribute without a value");
    bad_is(g, b++, 14, "attribute is not an object");
    bad_is(g, b++, 22, "\"Object\" element is not an object");
    assert_int_equal(g->nbad, b);
    free(g);
}

/* No attribute sets to_ids: every network attribute is taken. */
static void test_misp_no_ids(void **state)
{
    static const char json[] = "{\"Event\": {\"info\": \"No flags\", \"Attribute\": [\n"
                               "{\"type\": \"ip-dst\", \"value\": \"198.51.100.20\", \"to_ids\": "
                               "false},\n"
                               "{\"type\": \"domain\", \"value\": \"d.example.com\"},\n"
                               "{\"type\": \"ip-dst\", \"value\": \"198.51.100.21\", \"to_ids\": "
                               "true, \"deleted\": true}]}}\n";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_misp, json, g), 0);
    assert_int_equal(g->n, 2);
    item_is(g, 0, CM_IV_IP, "198.51.100.20", "", "No flags", "", 2);
    item_is(g, 1, CM_IV_DOMAIN, "d.example.com", "", "No flags", "", 3);
    assert_int_equal(g->nbad, 0);
    free(g);
}

static void test_misp_documents(void **state)
{
    /* to_ids is decided over the whole file: B's unflagged address is left out. */
    static const char arr[] =
        "[\n"
        "{\"Event\": {\"info\": \"A\", \"Attribute\": [{\"type\": \"ip-dst\", "
        "\"value\": \"198.51.100.30\", \"to_ids\": true}]}},\n"
        "{\"info\": \"B\", \"Attribute\": [{\"type\": \"ip-dst\", \"value\": "
        "\"198.51.100.31\", \"to_ids\": false}]},\n"
        "{\"nothing\": 1}\n"
        "]\n";
    static const char resp[] = "{\"response\": [{\"Event\": {\"info\": \"R\", \"Attribute\": "
                               "[{\"type\": \"url\", \"value\": \"https://r.example.com/\", "
                               "\"to_ids\": true}]}}]}";
    static const char search[] = "{\"response\": {\"Attribute\": [\n"
                                 "{\"type\": \"ip-dst\", \"value\": \"198.51.100.40\", "
                                 "\"to_ids\": true, \"Event\": {\"info\": \"From search\"}},\n"
                                 "{\"type\": \"domain\", \"value\": \"s.example.com\", "
                                 "\"to_ids\": true}]}}";
    static const char bare[] = "{\"Object\": [{\"Attribute\": [{\"type\": \"ip-src\", \"value\": "
                               "\"198.51.100.41\"}]}]}";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_misp, arr, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_IP, "198.51.100.30", "", "A", "", 2);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 4, "not a MISP event");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, resp, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_URL, "https://r.example.com/", "", "R", "", 1);

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, search, g), 0);
    assert_int_equal(g->n, 2);
    item_is(g, 0, CM_IV_IP, "198.51.100.40", "", "From search", "", 2);
    item_is(g, 1, CM_IV_DOMAIN, "s.example.com", "", "", "", 3);

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, bare, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_IP, "198.51.100.41", "", "", "", 1);

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, "[]", g), 0);
    assert_int_equal(g->n + g->nbad, 0);
    free(g);
}

static void test_misp_manifest(void **state)
{
    static const char json[] =
        "{\"5a0acc3f-e330-4e19-b44c-4182950d210f\": {\"info\": \"x\", \"Orgc\": {\"name\": "
        "\"CIRCL\"}, \"timestamp\": \"1510657087\", \"Tag\": []},\n"
        " \"57c4445b-c548-4654-af0b-4be3950d210f\": {\"info\": \"y\", \"timestamp\": \"1\"}}\n";
    struct got *g = got_new();

    (void)state;
    assert_true(cm_intel_format_misp.sniff(json, strlen(json)) > 0);
    assert_int_equal(run_str(&cm_intel_format_misp, json, g), 0);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "a MISP manifest lists events; point at the event files");
    free(g);
}

static void test_misp_not_misp(void **state)
{
    static const char sighting[] = "{\"timestamp\": \"11111111\", \"type\": \"bar\", \"value\": "
                                   "\"1\"}";
    static const char bundle[] = "{\"type\": \"bundle\", \"objects\": []}";
    struct got *g = got_new();
    size_t deep = 100000;
    char *nest = malloc(2 * deep + 16);

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_misp, sighting, g), CM_EINVAL);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "not a MISP event");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, bundle, g), CM_EINVAL);
    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, "[1, 2]", g), CM_EINVAL);
    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, "198.51.100.1\n", g), CM_EINVAL);
    bad_is(g, 0, 1, "JSON: ");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp, "{\"Event\": {\n\"Attribute\": [\n{,]}}", g),
                     CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 3, "JSON: ");

    /* {"Event": [[[[...]]]]} 100000 deep: the nesting limit, no crash. */
    assert_non_null(nest);
    memcpy(nest, "{\"Event\":", 9);
    memset(nest + 9, '[', deep);
    memset(nest + 9 + deep, ']', deep);
    nest[9 + 2 * deep] = '}';
    memset(g, 0, sizeof(*g));
    assert_int_equal(run(&cm_intel_format_misp, nest, 10 + 2 * deep, g), CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "JSON: ");
    free(nest);
    free(g);
}

static void test_misp_callback_error(void **state)
{
    struct got *g = got_new();

    (void)state;
    g->fail_after = 4;
    assert_int_equal(run_str(&cm_intel_format_misp, misp_shapes, g), CM_EFULL);
    assert_int_equal(g->n, 4);
    free(g);
}

static void test_misp_sniff(void **state)
{
    int (*sniff)(const char *, size_t) = cm_intel_format_misp.sniff;
    static const char bundle[] = "{\"type\": \"bundle\", \"objects\": []}";

    (void)state;
    assert_true(sniff(misp_shapes, strlen(misp_shapes)) >= 85);
    assert_true(sniff("{\"Attribute\": []}", 17) >= 80);
    assert_int_equal(sniff(bundle, strlen(bundle)), 0);
    assert_int_equal(sniff("uuid,event_id,category,type,value\n", 34), 0);
    assert_int_equal(sniff("", 0), 0);
}

struct expect {
    const char *file;
    int rc;
    size_t items;
};

static void test_misp_samples(void **state)
{
    /*
     * Network attributes per event file, counted with
     *   jq '(.Event // .) as $e | [($e.Attribute // [])[],
     *       (($e.Object // [])[] | (.Attribute // [])[])]
     *     | map(select(.deleted != true))
     *     | (if any(.to_ids == true) then map(select(.to_ids == true)) else . end)
     *     | map(select(.type | IN("ip-dst","ip-src","ip-dst|port","ip-src|port",
     *         "domain","hostname","hostname|port","url","domain|ip")))
     *     | length + (map(select(.type == "domain|ip")) | length)' FILE
     * asert: 3 domain + 9 hostname + 8 ip-dst + 14 url; hidden-cobra: 90 ip-dst +
     * 3 ip-dst|port; qakbot: 43 ip-dst; misp_event: 1 url (no attribute sets
     * to_ids, so all are taken); testfile_event_obj_attr_tag: 1 url.
     */
    static const struct expect ex[] = {
        {"misp-samples/circl-osint-57c4445b-c548-4654-af0b-4be3950d210f.json", 0, 0},
        {"misp-samples/circl-osint-asert-2016-03.json", 0, 34},
        {"misp-samples/circl-osint-hidden-cobra.json", 0, 93},
        {"misp-samples/circl-osint-qakbot.json", 0, 43},
        {"misp-samples/misp_event.json", 0, 1},
        {"misp-samples/testfile_event_obj_attr_tag.json", 0, 1},
        {"misp-samples/testfile_sighting.json", CM_EINVAL, 0},
        {"misp-samples/pymisp_stix2.json", CM_EINVAL, 0},
    };
    struct got *g = got_new();
    size_t found = 0;

    (void)state;
    for (size_t k = 0; k < sizeof(ex) / sizeof(ex[0]); k++) {
        size_t len;
        char *buf = shared_file(ex[k].file, &len);
        int rc;

        if (!buf) {
            continue;
        }
        found++;
        memset(g, 0, sizeof(*g));
        rc = run(&cm_intel_format_misp, buf, len, g);
        if (rc != ex[k].rc || g->n != ex[k].items || (rc == 0 && g->nbad != 0)) {
            fail_msg("%s: rc %d, %zu items, %zu bad (%s); want rc %d, %zu items", ex[k].file, rc,
                     g->n, g->nbad, g->nbad ? g->bad[0].reason : "-", ex[k].rc, ex[k].items);
        }
        if (rc == 0) {
            assert_true(cm_intel_format_misp.sniff(buf, len) >= 85);
        }
        free(buf);
    }
    if (found == 0) {
        free(g);
        skip();
        return;
    }
    {
        size_t len, ports = 0;
        char *buf = shared_file("misp-samples/circl-osint-hidden-cobra.json", &len);

        assert_non_null(buf);
        memset(g, 0, sizeof(*g));
        assert_int_equal(run(&cm_intel_format_misp, buf, len, g), 0);
        for (size_t i = 0; i < g->n; i++) {
            assert_int_equal(g->items[i].kind, CM_IV_IP);
            assert_null(strchr(g->items[i].value, '|')); /* the port is cut off */
            assert_string_equal(g->items[i].threat, "OSINT - HIDDEN COBRA \xe2\x80\x93 North "
                                                    "Korean Remote Administration Tool: FALLCHILL");
            assert_true(g->items[i].line > 0);
            ports += strcmp(g->items[i].category, "Network activity") == 0;
        }
        assert_true(ports > 0);
        free(buf);
    }
    free(g);
}

/* ---- MISP CSV ---- */

static const char misp_csv[] =
    /* 1 */
    "uuid,event_id,category,type,value,comment,to_ids,date,object_relation,attribute_tag,"
    "object_uuid,object_name,object_meta_category,event_info\r\n"
    /* 2 */ "5a0d-1,12,Network activity,ip-dst,198.51.100.50,,1,1510828210,,,,,,\"Event, with "
    "comma\"\r\n"
    /* 3 */ "5a0d-2,12,Network activity,domain,\"q.example.com\",,True,1510828210,,,,,,Other\n"
    /* 4 */ "5a0d-3,12,Payload delivery,url,\"http://u.example.com/a,\"\"b\"\"\",comment,1,"
    "1510828210,,,,,,\n"
    /* 5 */ "5a0d-4,12,Network activity,ip-dst,198.51.100.51,,0,1510828210,,,,,,\n"
    /* 6 */ "5a0d-5,12,Network activity,domain|ip,x.example.com|198.51.100.52,,1,1510828210,,,,,,\n"
    /* 7 */ "5a0d-6,12,Network activity,ip-src|port,198.51.100.53|22,,1,1510828210,,,,,,\n"
    /* 8 */ "5a0d-7,12,Payload delivery,md5,d41d8cd98f00b204e9800998ecf8427e,,1,1510828210,,,,,,\n"
    /* 9 */ "5a0d-8,12,Network activity,ip-dst,\"198.51.100.54,,1,1510828210,,,,,,\n"
    /* 10 */ "5a0d-9,12\n"
    /* 11 */ "\n"
    /* 12 */ "5a0d-10,12,Network activity,hostname,,,1,1510828210,,,,,,\n"
    /* 13 */ "5a0d-11,12,Network activity,domain|ip,y.example.com,,1,1510828210,,,,,,\n"
    /* 14 */ "5a0d-12,12,Network activity,hostname,h.example.com,,1,1510828210,,,,,,";

static void test_misp_csv_shapes(void **state)
{
    struct got *g = got_new();
    const struct cm_intel_format *f = &cm_intel_format_misp_csv;
    const char *na = "Network activity";
    size_t i = 0, b = 0;

    (void)state;
    assert_string_equal(f->name, "MISP_CSV");
    assert_int_equal(run_str(f, misp_csv, g), 0);
    item_is(g, i++, CM_IV_IP, "198.51.100.50", "", "Event, with comma", na, 2);
    item_is(g, i++, CM_IV_DOMAIN, "q.example.com", "", "Other", na, 3);
    item_is(g, i++, CM_IV_URL, "http://u.example.com/a,\"b\"", "", "", "Payload delivery", 4);
    item_is(g, i++, CM_IV_DOMAIN, "x.example.com", "", "", na, 6);
    item_is(g, i++, CM_IV_IP, "198.51.100.52", "", "", na, 6);
    item_is(g, i++, CM_IV_IP, "198.51.100.53", "", "", na, 7);
    item_is(g, i++, CM_IV_DOMAIN, "h.example.com", "", "", na, 14);
    assert_int_equal(g->n, i);

    bad_is(g, b++, 9, "unterminated quoted field");
    bad_is(g, b++, 10, "fewer columns than the header");
    bad_is(g, b++, 12, "empty value");
    bad_is(g, b++, 13, "domain|ip value without '|'");
    assert_int_equal(g->nbad, b);
    free(g);
}

static void test_misp_csv_columns(void **state)
{
    /* Any column order; no to_ids set anywhere: all taken; deleted rows skipped. */
    static const char csv[] = "value,type,deleted,to_ids,category\n"
                              "198.51.100.61,ip-dst,1,0,Network activity\n"
                              "198.51.100.62,ip-dst,0,0,Network activity\n"
                              "n.example.com,hostname,,,\n";
    static const char few[] = "type,value\nurl,https://f.example.com/x\n";
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_misp_csv, csv, g), 0);
    assert_int_equal(g->n, 2);
    item_is(g, 0, CM_IV_IP, "198.51.100.62", "", "", "Network activity", 3);
    item_is(g, 1, CM_IV_DOMAIN, "n.example.com", "", "", "", 4);
    assert_int_equal(g->nbad, 0);

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp_csv, few, g), 0);
    assert_int_equal(g->n, 1);
    item_is(g, 0, CM_IV_URL, "https://f.example.com/x", "", "", "", 2);
    free(g);
}

static void test_misp_csv_not_csv(void **state)
{
    struct got *g = got_new();

    (void)state;
    assert_int_equal(run_str(&cm_intel_format_misp_csv, "198.51.100.1\n198.51.100.2\n", g),
                     CM_EINVAL);
    assert_int_equal(g->n, 0);
    assert_int_equal(g->nbad, 1);
    bad_is(g, 0, 1, "not a MISP CSV export");

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp_csv, "", g), CM_EINVAL);
    assert_int_equal(g->nbad, 1);

    memset(g, 0, sizeof(*g));
    assert_int_equal(run_str(&cm_intel_format_misp_csv, "\n\n\"type,value\n", g), CM_EINVAL);
    bad_is(g, 0, 3, "not a MISP CSV export");

    memset(g, 0, sizeof(*g));
    g->fail_after = 2;
    assert_int_equal(run_str(&cm_intel_format_misp_csv, misp_csv, g), CM_EFULL);
    assert_int_equal(g->n, 2);
    free(g);
}

static void test_misp_csv_sniff(void **state)
{
    int (*sniff)(const char *, size_t) = cm_intel_format_misp_csv.sniff;
    static const char named[] = "category,type,value,to_ids\nNetwork activity,ip-dst,1.2.3.4,1\n";

    (void)state;
    assert_true(sniff(misp_csv, strlen(misp_csv)) >= 90);
    assert_true(sniff(named, strlen(named)) >= 75);
    assert_int_equal(sniff("Indicator type, Indicator, Description\n", 39), 0);
    assert_int_equal(sniff(misp_shapes, strlen(misp_shapes)), 0);
    assert_int_equal(sniff("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misp_shapes),      cmocka_unit_test(test_misp_no_ids),
        cmocka_unit_test(test_misp_documents),   cmocka_unit_test(test_misp_manifest),
        cmocka_unit_test(test_misp_not_misp),    cmocka_unit_test(test_misp_callback_error),
        cmocka_unit_test(test_misp_sniff),       cmocka_unit_test(test_misp_samples),
        cmocka_unit_test(test_misp_csv_shapes),  cmocka_unit_test(test_misp_csv_columns),
        cmocka_unit_test(test_misp_csv_not_csv), cmocka_unit_test(test_misp_csv_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
