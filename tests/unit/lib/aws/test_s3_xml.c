/*
 * S3's XML answers (lib/aws/s3_xml.c): ListObjectsV2 pages as S3 and moto send
 * them (namespaced, URL-encoded keys, truncated with a token), and what is
 * refused with where and why: malformed XML, another document, a Contents
 * without its Key or with a Size that is no count, a truncated page without a
 * token, a key over its cap; S3's error documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "aws/s3_xml.h"
#include "base/err.h"

#define HEAD                                                                                       \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"                         \
    "<Name>trail</Name><Prefix>AWSLogs/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"

static int parse(const char *xml, struct cm_s3_list *l, char *why)
{
    return cm_s3_list_parse(xml, strlen(xml), l, why, 200);
}

static void test_page(void **state)
{
    static const char xml[] =
        HEAD "<IsTruncated>true</IsTruncated><EncodingType>url</EncodingType>"
             "<Contents><Key>AWSLogs/a+b%20c/%C3%BC%3D.json.gz</Key>"
             "<LastModified>2026-01-05T00:00:00.000Z</LastModified>"
             "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1234</Size>"
             "<StorageClass>STANDARD</StorageClass></Contents>"
             "<Contents><Key>AWSLogs/x</Key><Size>0</Size></Contents>"
             "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
             "</NextContinuationToken></ListBucketResult>";
    struct cm_s3_list l;
    char why[200] = "";

    (void)state;
    cm_s3_list_init(&l);
    assert_int_equal(parse(xml, &l, why), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].key, "AWSLogs/a b c/\xc3\xbc=.json.gz");
    assert_int_equal(l.v[0].size, 1234);
    assert_string_equal(l.v[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
    assert_string_equal(l.v[1].key, "AWSLogs/x");
    assert_int_equal(l.v[1].size, 0);
    assert_string_equal(l.v[1].etag, "");
    assert_true(l.truncated);
    assert_string_equal(l.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
    cm_s3_list_finish(&l);
}

/* A listing with a delimiter: the folders below the prefix, URL-decoded as keys are. */
static void test_common_prefixes(void **state)
{
    static const char xml[] =
        HEAD "<IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>"
             "<Delimiter>/</Delimiter>"
             "<Contents><Key>AWSLogs/top.json.gz</Key><Size>3</Size></Contents>"
             "<CommonPrefixes><Prefix>AWSLogs/111122223333/</Prefix></CommonPrefixes>"
             "<CommonPrefixes><Prefix>AWSLogs/a%20b/</Prefix></CommonPrefixes>"
             "</ListBucketResult>";
    static const char no_prefix[] =
        HEAD "<IsTruncated>false</IsTruncated><CommonPrefixes></CommonPrefixes>"
             "</ListBucketResult>";
    static const char two[] =
        HEAD "<IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>a/</Prefix>"
             "<Prefix>b/</Prefix></CommonPrefixes></ListBucketResult>";
    static const char bad_encoding[] =
        HEAD "<IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>"
             "<CommonPrefixes><Prefix>a%zz/</Prefix></CommonPrefixes></ListBucketResult>";
    struct cm_s3_list l;
    char why[200] = "";

    (void)state;
    cm_s3_list_init(&l);
    assert_int_equal(parse(xml, &l, why), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].key, "AWSLogs/top.json.gz");
    assert_int_equal(l.nprefixes, 2);
    assert_string_equal(l.prefixes[0], "AWSLogs/111122223333/");
    assert_string_equal(l.prefixes[1], "AWSLogs/a b/");
    cm_s3_list_finish(&l);
    assert_int_equal(l.nprefixes, 0);
    assert_null(l.prefixes);
    assert_int_equal(parse(no_prefix, &l, why), CM_EINVAL);
    assert_non_null(strstr(why, "CommonPrefixes #1 has no Prefix"));
    assert_int_equal(parse(two, &l, why), CM_EINVAL);
    assert_non_null(strstr(why, "CommonPrefixes #1 has two Prefix"));
    assert_int_equal(parse(bad_encoding, &l, why), CM_EINVAL);
    assert_non_null(strstr(why, "CommonPrefixes #1: the Prefix is not valid URL encoding"));
    assert_int_equal(l.nprefixes, 0);
}

static void test_last_page_plain_keys(void **state)
{
    /* Without EncodingType the keys are as sent: '+' and '%' stay. */
    static const char xml[] = HEAD "<IsTruncated>false</IsTruncated>"
                                   "<Contents><Key>a+b%41</Key><Size>7</Size></Contents>"
                                   "</ListBucketResult>";
    struct cm_s3_list l;
    char why[200] = "";

    (void)state;
    cm_s3_list_init(&l);
    assert_int_equal(parse(xml, &l, why), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].key, "a+b%41");
    assert_false(l.truncated);
    assert_null(l.next_token);
    /* Reused: the next parse empties it first. */
    assert_int_equal(parse(HEAD "<IsTruncated>false</IsTruncated></ListBucketResult>", &l, why), 0);
    assert_int_equal(l.n, 0);
    cm_s3_list_finish(&l);
}

static void refused(const char *xml, int rc, const char *why_has)
{
    struct cm_s3_list l;
    char why[200] = "";

    cm_s3_list_init(&l);
    assert_int_equal(parse(xml, &l, why), rc);
    if (strstr(why, why_has) == NULL) {
        fail_msg("why '%s' does not say '%s'", why, why_has);
    }
    assert_int_equal(l.n, 0);
    assert_null(l.v);
    cm_s3_list_finish(&l);
}

static void test_refused(void **state)
{
    char big[CM_S3_MAX_KEY + 400];

    (void)state;
    refused(HEAD "<Contents><Key>a</Key><Size>1</Size></Contents>", CM_ESYNTAX, "no element found");
    refused("<?xml version=\"1.0\"?>\n<ListBucketResult>\n<b></ListBucketResult>", CM_ESYNTAX,
            "line 3, column 6: mismatched tag");
    refused("", CM_ESYNTAX, "line 1");
    refused("<Error><Code>AccessDenied</Code></Error>", CM_EFORMAT, "root element <Error>");
    refused(HEAD "<Contents><Size>1</Size></Contents></ListBucketResult>", CM_EINVAL,
            "Contents #1 has no Key");
    refused(HEAD "<Contents><Key>k</Key></Contents></ListBucketResult>", CM_EINVAL,
            "Contents #1 has no Size");
    refused(HEAD "<Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>", CM_EINVAL,
            "Size '-1' is not a byte count");
    refused(HEAD "<Contents><Key>k</Key><Size>99999999999999999999</Size></Contents>"
                 "</ListBucketResult>",
            CM_EINVAL, "not a byte count");
    refused(HEAD "<IsTruncated>true</IsTruncated></ListBucketResult>", CM_EINVAL,
            "no NextContinuationToken");
    refused(HEAD "<EncodingType>url</EncodingType><Contents><Key>a%2</Key><Size>1</Size>"
                 "</Contents></ListBucketResult>",
            CM_EINVAL, "not valid URL encoding");
    snprintf(big, sizeof(big), HEAD "<Contents><Key>%0*d</Key><Size>1</Size></Contents>",
             CM_S3_MAX_KEY + 1, 0);
    strcat(big, "</ListBucketResult>");
    refused(big, CM_E2BIG, "a Key of more than");
    /* An entity that is not defined: expat refuses it. */
    refused(HEAD "<Contents><Key>&x;</Key><Size>1</Size></Contents></ListBucketResult>", CM_ESYNTAX,
            "undefined entity");
}

static void test_error(void **state)
{
    static const char body[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed"
        "</Code><Message>The authorization header is malformed;\nthe region 'us-east-1' is "
        "wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region>"
        "<RequestId>X</RequestId></Error>";
    struct cm_s3_error e;

    (void)state;
    assert_int_equal(cm_s3_error_parse(body, strlen(body), &e), 0);
    assert_string_equal(e.code, "AuthorizationHeaderMalformed");
    assert_string_equal(e.region, "eu-west-1");
    /* Control bytes made spaces: the message goes on one line. */
    assert_non_null(strstr(e.message, "malformed; the region"));
    assert_int_equal(cm_s3_error_parse("<html>503</html>", 16, &e), CM_ENOTFOUND);
    assert_string_equal(e.code, "");
    assert_int_equal(cm_s3_error_parse("not xml", 7, &e), CM_ENOTFOUND);
    assert_int_equal(cm_s3_error_parse("", 0, &e), CM_ENOTFOUND);
}

/*
 * An answer that declares entities: the billion laughs, an external entity and a harmless
 * internal one are all refused at the declaration, before any is used (lib/aws/aws_xml.c),
 * with the reason and where; nothing is taken as a key. A DOCTYPE without entities is no
 * threat and parses.
 */
static void test_entities(void **state)
{
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
        "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
        "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
        "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">]>"
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>&g;</Key><Size>1</Size></Contents></ListBucketResult>";
    static const char external[] =
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>&x;</Key><Size>1</Size></Contents></ListBucketResult>";
    static const char internal[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE l [\n<!ENTITY k \"AWSLogs/x.json.gz\">]>"
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>&k;</Key><Size>1</Size></Contents></ListBucketResult>";
    static const char param[] =
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY % p SYSTEM \"http://127.0.0.1/x\">%p;]>"
        "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
    static const char plain_doctype[] =
        "<?xml version=\"1.0\"?><!DOCTYPE ListBucketResult>"
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>AWSLogs/a.json.gz</Key><Size>1</Size></Contents></ListBucketResult>";
    static const char *const refused[] = {laughs, external, internal, param};
    struct cm_s3_list l;
    struct cm_s3_error e;
    char why[200] = "";
    (void)state;

    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        cm_s3_list_init(&l);
        why[0] = '\0';
        assert_int_equal(parse(refused[i], &l, why), CM_ESYNTAX);
        assert_non_null(strstr(why, "an entity declaration"));
        assert_non_null(strstr(why, "line "));
        assert_int_equal(l.n, 0);
        cm_s3_list_finish(&l);
    }
    cm_s3_list_init(&l);
    assert_int_equal(parse(internal, &l, why), CM_ESYNTAX);
    assert_non_null(strstr(why, "line 3, column")); /* where the declaration is */
    cm_s3_list_finish(&l);
    cm_s3_list_init(&l);
    assert_int_equal(parse(plain_doctype, &l, why), 0);
    assert_int_equal(l.n, 1);
    cm_s3_list_finish(&l);
    /* An error answer with an entity: no code taken from it. */
    static const char err_entity[] = "<!DOCTYPE Error [<!ENTITY c \"NoSuchKey\">]>"
                                     "<Error><Code>&c;</Code></Error>";

    assert_int_equal(cm_s3_error_parse(err_entity, strlen(err_entity), &e), CM_ENOTFOUND);
    assert_string_equal(e.code, "");
}

/*
 * A key with a NUL byte (S3 allows one; an attacker who can write to the bucket can make
 * one) is kept, flagged, with "%00" in its place: the page and its other keys are taken, so
 * one object cannot make a listing, and the scan of a prefix, fail.
 */
static void test_nul_key(void **state)
{
    struct cm_s3_list l;
    char why[200] = "";
    (void)state;

    cm_s3_list_init(&l);
    assert_int_equal(parse(HEAD "<EncodingType>url</EncodingType>"
                                "<Contents><Key>AWSLogs/a%00b%2Bc</Key><Size>1</Size></Contents>"
                                "<Contents><Key>AWSLogs/ok.json.gz</Key><Size>2</Size></Contents>"
                                "<IsTruncated>false</IsTruncated></ListBucketResult>",
                           &l, why),
                     0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].key, "AWSLogs/a%00b+c");
    assert_true(l.v[0].nul_key);
    assert_string_equal(l.v[1].key, "AWSLogs/ok.json.gz");
    assert_false(l.v[1].nul_key);
    cm_s3_list_finish(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_common_prefixes),
        cmocka_unit_test(test_last_page_plain_keys),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_error),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_nul_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
