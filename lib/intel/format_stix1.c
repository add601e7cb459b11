/*
 * STIX 1.x threat lists (GuardDuty's "STIX" format), read with expat.
 *
 * What is taken (see docs/internals/intel-structured-formats.md):
 * - CybOX AddressObject Address_Value (category ipv4-addr, ipv6-addr,
 *   ipv4-net, ipv6-net, cidr or none) as CM_IV_IP: one address or CIDR, a
 *   list "a##comma##b##comma##c" (one item each), or with
 *   condition="InclusiveBetween" a range "first##comma##last" (CM_IV_RANGE);
 * - DomainNameObject Value and HostnameObject Hostname_Value as
 *   CM_IV_DOMAIN; URIObject Value as CM_IV_URL (type "URL" or none) or
 *   CM_IV_DOMAIN (type "Domain Name").
 * - threat: the Title of the nearest enclosing Indicator or Observable that
 *   has one, else the nearest Description; category: the nearest
 *   Indicator's Type ("IP Watchlist", ...). STIX puts Title, Type and
 *   Description before the Observable, which is what lets this stream.
 *
 * Elements are matched by local name and namespace URI (the parser is
 * created with a namespace separator), never by prefix. A value whose
 * condition is not Equals (or InclusiveBetween for addresses), an address
 * whose category is not an IP one, and an empty or oversized value are bad
 * records; each carries the line of its element's start tag.
 *
 * Safety: entity declarations stop the parse (CM_EINVAL with a bad record),
 * so no entity is ever expanded (billion laughs); parameter entities and
 * external entities are never loaded (no handler is set, expat does no I/O).
 * XML that is not well formed, or whose root is not stix:STIX_Package (or
 * a CybOX Observables document), is CM_EINVAL with a bad record giving
 * expat's line and message. Items found before such an error have already
 * been handed over. expat allocates through base/alloc.h.
 *
 * AWS's published sample writes <AddressObject:Address_Valuecondition=...>
 * (no space before the attribute), which is not XML; that one slip is
 * repaired on a copy before parsing, as GuardDuty accepts the sample.
 */
#include "intel/format.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <expat.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "intel/format_util.h"

#define NS_SEP     " "               /* expat's name is "uri local" */
#define MAX_TEXT   (64u * 1024u)     /* text kept of one element */
#define MAX_LABEL  256u              /* bytes kept of a title, description or type */
#define MAX_FRAMES 8u                /* nested Indicator/Observable frames tracked */
#define MAX_PROPS  16u               /* nested elements with category=/type= tracked */
#define MAX_ATTR   24u               /* bytes kept of an attribute value (+ NUL) */
#define CHUNK      (INT_MAX / 2 + 1) /* bytes per XML_Parse call (an int) */
#define COMMA      "##comma##"
#define SLIP       "Valuecondition=" /* AWS sample: a missing space */

/* What the element being captured is. */
enum cap {
    CAP_NONE = 0,
    CAP_TITLE,
    CAP_DESC,
    CAP_TYPE,
    CAP_ADDRESS,
    CAP_DOMAIN,
    CAP_URI,
    CAP_HOSTNAME,
};

struct label {
    char s[MAX_LABEL];
    size_t len;
};

/* An Indicator or Observable being read. */
struct frame {
    unsigned depth;
    bool indicator;
    struct label title, desc, type;
};

/* An element with a category= or type= attribute (CybOX Properties). */
struct props {
    unsigned depth;
    char category[MAX_ATTR];
    char type[MAX_ATTR];
};

struct stix1 {
    XML_Parser xp;
    const struct cm_intel_reader *r;
    int rc; /* set once: a callback's error, CM_ENOMEM or CM_EINVAL; the parse stops */
    unsigned depth;
    bool root_seen;
    struct frame frames[MAX_FRAMES];
    unsigned nframes;
    struct props props[MAX_PROPS];
    unsigned nprops;
    enum cap cap;
    unsigned cap_depth;
    uint32_t cap_line;
    bool cap_over;       /* the text passed MAX_TEXT */
    char cond[MAX_ATTR]; /* condition= of a value, "" when absent */
    struct cm_buf text;
};

static const XML_Memory_Handling_Suite mem_suite = {cm_malloc, cm_realloc, cm_free};

/* ---- names and attributes ---- */

static const char *local_name(const char *name)
{
    const char *s = strrchr(name, NS_SEP[0]);
    return s ? s + 1 : name;
}

/* True when name's namespace URI contains frag. */
static bool ns_has(const char *name, const char *frag)
{
    const char *s = strrchr(name, NS_SEP[0]);
    return s && cm_str_find(cm_str_make(name, (size_t)(s - name)), cm_str_cstr(frag)) != (size_t)-1;
}

/* The value of the unqualified attribute key, or NULL. */
static const char *attr(const XML_Char **atts, const char *key)
{
    for (size_t i = 0; atts[i]; i += 2) {
        if (strcmp(atts[i], key) == 0) {
            return atts[i + 1];
        }
    }
    return NULL;
}

/*
 * Copies a C string into dst[MAX_ATTR], truncated and with control bytes
 * shown as '?' (it may go into a reason; a truncated or altered value
 * matches no keyword).
 */
static void copy_attr(char *dst, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= MAX_ATTR) {
        n = MAX_ATTR - 1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    dst[n] = '\0';
}

static uint32_t cur_line(const struct stix1 *x)
{
    XML_Size l = XML_GetCurrentLineNumber(x->xp);
    return l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
}

static void stop(struct stix1 *x, int rc)
{
    if (x->rc == 0) {
        x->rc = rc;
    }
    XML_StopParser(x->xp, XML_FALSE);
}

static void bad(const struct stix1 *x, uint32_t line, const char *reason)
{
    cm_intel_bad(x->r, line, reason);
}

/* ---- items ---- */

/* The threat text: the nearest frame's Title, else the nearest Description. */
static struct cm_str threat_of(const struct stix1 *x)
{
    for (unsigned i = x->nframes; i-- > 0;) {
        if (x->frames[i].title.len) {
            return cm_str_make(x->frames[i].title.s, x->frames[i].title.len);
        }
    }
    for (unsigned i = x->nframes; i-- > 0;) {
        if (x->frames[i].desc.len) {
            return cm_str_make(x->frames[i].desc.s, x->frames[i].desc.len);
        }
    }
    return cm_str_make("", 0);
}

static struct cm_str category_of(const struct stix1 *x)
{
    for (unsigned i = x->nframes; i-- > 0;) {
        if (x->frames[i].indicator && x->frames[i].type.len) {
            return cm_str_make(x->frames[i].type.s, x->frames[i].type.len);
        }
    }
    return cm_str_make("", 0);
}

static int emit(struct stix1 *x, enum cm_intel_value kind, struct cm_str v, struct cm_str v2)
{
    struct cm_intel_item it;

    it.kind = kind;
    it.value = v;
    it.value2 = v2;
    it.threat = threat_of(x);
    it.category = category_of(x);
    it.line = x->cap_line;
    return x->r->item(x->r->ud, &it);
}

/* The category=/type= holder that is the value's parent, or NULL. */
static const struct props *parent_props(const struct stix1 *x)
{
    if (x->nprops && x->props[x->nprops - 1].depth + 1 == x->cap_depth) {
        return &x->props[x->nprops - 1];
    }
    return NULL;
}

static bool is_ip_category(const char *c)
{
    static const char *const ok[] = {"",         "ipv4-addr", "ipv6-addr", "ipv4-net",
                                     "ipv6-net", "cidr",      NULL};
    for (size_t i = 0; ok[i]; i++) {
        if (strcmp(c, ok[i]) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * The kind of the captured value, from its element and its parent's
 * category= / type=; CM_IV_AUTO (never a real answer here) with reason set
 * when the value is not one we take.
 */
static enum cm_intel_value value_kind(const struct stix1 *x, char *reason, size_t rlen)
{
    const struct props *p = parent_props(x);
    const char *category = p ? p->category : "";
    const char *type = p ? p->type : "";

    switch (x->cap) {
    case CAP_ADDRESS:
        if (!is_ip_category(category)) {
            snprintf(reason, rlen, "address category \"%s\" is not an IP address or network",
                     category);
            return CM_IV_AUTO;
        }
        return CM_IV_IP;
    case CAP_URI:
        if (type[0] == '\0' || strcmp(type, "URL") == 0) {
            return CM_IV_URL;
        }
        if (strcmp(type, "Domain Name") == 0) {
            return CM_IV_DOMAIN;
        }
        snprintf(reason, rlen, "URI type \"%s\" is not a URL or a domain name", type);
        return CM_IV_AUTO;
    default:
        return CM_IV_DOMAIN;
    }
}

/* Emits each part of "a##comma##b##comma##c". */
static int emit_list(struct stix1 *x, enum cm_intel_value kind, struct cm_str v)
{
    struct cm_str sep = CM_STR_LIT(COMMA);

    for (;;) {
        size_t at = cm_str_find(v, sep);
        struct cm_str part = cm_trim(cm_str_make(v.p, at == (size_t)-1 ? v.len : at));
        int rc;

        if (part.len == 0) {
            bad(x, x->cap_line, "empty value in a " COMMA " list");
        } else if ((rc = emit(x, kind, part, cm_str_make("", 0))) < 0) {
            return rc;
        }
        if (at == (size_t)-1) {
            return 0;
        }
        v = cm_str_make(v.p + at + sep.len, v.len - at - sep.len);
    }
}

static int emit_range(struct stix1 *x, struct cm_str v)
{
    struct cm_str sep = CM_STR_LIT(COMMA);
    size_t at = cm_str_find(v, sep);
    struct cm_str first, last;

    if (at == (size_t)-1) {
        bad(x, x->cap_line, "InclusiveBetween needs first" COMMA "last");
        return 0;
    }
    first = cm_trim(cm_str_make(v.p, at));
    last = cm_trim(cm_str_make(v.p + at + sep.len, v.len - at - sep.len));
    if (first.len == 0 || last.len == 0 || cm_str_find(last, sep) != (size_t)-1) {
        bad(x, x->cap_line, "InclusiveBetween needs exactly two values, first" COMMA "last");
        return 0;
    }
    return emit(x, CM_IV_RANGE, first, last);
}

/* A value element ended: check it and hand over its items. */
static int finish_value(struct stix1 *x)
{
    char reason[160];
    struct cm_str v = cm_trim(cm_str_make(x->text.p ? x->text.p : "", x->text.len));
    enum cm_intel_value kind = value_kind(x, reason, sizeof(reason));

    if (kind == CM_IV_AUTO) {
        bad(x, x->cap_line, reason);
        return 0;
    }
    if (x->cap_over) {
        bad(x, x->cap_line, "value longer than 64 KiB");
        return 0;
    }
    if (v.len == 0) {
        bad(x, x->cap_line, "empty value");
        return 0;
    }
    if (x->cond[0] == '\0' || strcmp(x->cond, "Equals") == 0) {
        return emit_list(x, kind, v);
    }
    if (strcmp(x->cond, "InclusiveBetween") == 0 && x->cap == CAP_ADDRESS) {
        return emit_range(x, v);
    }
    snprintf(reason, sizeof(reason), "condition \"%s\" is not supported%s", x->cond,
             x->cap == CAP_ADDRESS ? " (only Equals and InclusiveBetween)" : " (only Equals)");
    bad(x, x->cap_line, reason);
    return 0;
}

/* Copies the trimmed captured text into l, cut at a UTF-8 character boundary. */
static void set_label(struct label *l, const struct cm_buf *text)
{
    struct cm_str s = cm_trim(cm_str_make(text->p ? text->p : "", text->len));
    size_t n = s.len;

    if (n > MAX_LABEL) {
        n = MAX_LABEL;
        while (n > 0 && ((unsigned char)s.p[n] & 0xc0u) == 0x80u) {
            n--;
        }
    }
    if (n) {
        memcpy(l->s, s.p, n);
    }
    l->len = n;
}

static void finish_capture(struct stix1 *x)
{
    struct frame *f = x->nframes ? &x->frames[x->nframes - 1] : NULL;
    int rc = 0;

    switch (x->cap) {
    case CAP_TITLE:
        set_label(&f->title, &x->text);
        break;
    case CAP_DESC:
        set_label(&f->desc, &x->text);
        break;
    case CAP_TYPE:
        set_label(&f->type, &x->text);
        break;
    default:
        rc = finish_value(x);
        break;
    }
    x->cap = CAP_NONE;
    cm_buf_reset(&x->text);
    if (rc < 0) {
        stop(x, rc);
    }
}

/* ---- expat handlers ---- */

/* The capture a start tag begins, CAP_NONE for most elements. */
static enum cap capture_of(const struct stix1 *x, const char *name, const char *local)
{
    const struct frame *f = x->nframes ? &x->frames[x->nframes - 1] : NULL;

    if (f && x->depth == f->depth + 1) {
        if (strcmp(local, "Title") == 0 && f->title.len == 0) {
            return CAP_TITLE;
        }
        if (strcmp(local, "Description") == 0 && f->desc.len == 0) {
            return CAP_DESC;
        }
        if (strcmp(local, "Type") == 0 && f->indicator && f->type.len == 0) {
            return CAP_TYPE;
        }
    }
    if (strcmp(local, "Address_Value") == 0 && ns_has(name, "#AddressObject")) {
        return CAP_ADDRESS;
    }
    if (strcmp(local, "Value") == 0 && ns_has(name, "#DomainNameObject")) {
        return CAP_DOMAIN;
    }
    if (strcmp(local, "Value") == 0 && ns_has(name, "#URIObject")) {
        return CAP_URI;
    }
    if (strcmp(local, "Hostname_Value") == 0 && ns_has(name, "#HostnameObject")) {
        return CAP_HOSTNAME;
    }
    return CAP_NONE;
}

static bool check_root(struct stix1 *x, const char *name, const char *local)
{
    char reason[160];

    x->root_seen = true;
    if (strcmp(local, "STIX_Package") == 0 ||
        (strcmp(local, "Observables") == 0 && ns_has(name, "cybox.mitre.org"))) {
        return true;
    }
    snprintf(reason, sizeof(reason), "root element <%.64s> is not stix:STIX_Package", local);
    bad(x, cur_line(x), reason);
    stop(x, CM_EINVAL);
    return false;
}

static void push_frame(struct stix1 *x, bool indicator)
{
    struct frame *f;

    if (x->nframes == MAX_FRAMES) {
        return; /* deeper ones share the innermost tracked frame */
    }
    f = &x->frames[x->nframes++];
    memset(f, 0, sizeof(*f));
    f->depth = x->depth;
    f->indicator = indicator;
}

static void push_props(struct stix1 *x, const char *category, const char *type)
{
    struct props *p;

    if (x->nprops == MAX_PROPS) {
        return;
    }
    p = &x->props[x->nprops++];
    p->depth = x->depth;
    copy_attr(p->category, category);
    copy_attr(p->type, type);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct stix1 *x = ud;
    const char *local = local_name(name);
    const char *category, *type;

    if (x->rc) {
        return;
    }
    x->depth++;
    if (!x->root_seen && !check_root(x, name, local)) {
        return;
    }
    if (x->cap != CAP_NONE) {
        return; /* markup inside a captured element (XHTML in a Description) */
    }
    if (strcmp(local, "Indicator") == 0 && ns_has(name, "stix.mitre.org")) {
        push_frame(x, true);
        return;
    }
    if (strcmp(local, "Observable") == 0) {
        push_frame(x, false);
        return;
    }
    x->cap = capture_of(x, name, local);
    if (x->cap != CAP_NONE) {
        x->cap_depth = x->depth;
        x->cap_line = cur_line(x);
        x->cap_over = false;
        copy_attr(x->cond, x->cap >= CAP_ADDRESS ? attr(atts, "condition") : NULL);
        cm_buf_reset(&x->text);
        return;
    }
    category = attr(atts, "category");
    type = attr(atts, "type");
    if (category || type) {
        push_props(x, category, type);
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct stix1 *x = ud;

    (void)name;
    if (x->rc) {
        return;
    }
    if (x->cap != CAP_NONE && x->depth == x->cap_depth) {
        finish_capture(x);
    }
    if (x->nframes && x->frames[x->nframes - 1].depth == x->depth) {
        x->nframes--;
    }
    if (x->nprops && x->props[x->nprops - 1].depth == x->depth) {
        x->nprops--;
    }
    x->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct stix1 *x = ud;
    int rc;

    if (x->rc || x->cap == CAP_NONE || x->cap_over || len <= 0) {
        return;
    }
    rc = cm_buf_append(&x->text, s, (size_t)len);
    if (rc == CM_E2BIG) {
        x->cap_over = true;
    } else if (rc < 0) {
        stop(x, rc);
    }
}

static void XMLCALL on_entity(void *ud, const XML_Char *entity, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *system_id,
                              const XML_Char *public_id, const XML_Char *notation)
{
    struct stix1 *x = ud;

    (void)entity;
    (void)is_param;
    (void)value;
    (void)value_len;
    (void)base;
    (void)system_id;
    (void)public_id;
    (void)notation;
    if (x->rc) {
        return;
    }
    bad(x, cur_line(x), "DTD entity declarations are not accepted (entity expansion)");
    stop(x, CM_EINVAL);
}

/* ---- the reader ---- */

/* True when the "Valuecondition=" at buf[at] is inside a start tag's name. */
static bool in_tag_name(const char *buf, size_t at)
{
    while (at > 0) {
        char c = buf[--at];
        if (c == '<') {
            return true;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ':' || c == '_' || c == '-' || c == '.')) {
            return false;
        }
    }
    return false;
}

/* The offset of the next "Valuecondition=" at or after from, or (size_t)-1. */
static size_t find_slip(const char *buf, size_t len, size_t from)
{
    size_t at = cm_str_find(cm_str_make(buf + from, len - from), CM_STR_LIT(SLIP));
    return at == (size_t)-1 ? at : from + at;
}

/*
 * Repairs AWS's "<...Valuecondition=" slip on an owned copy (*out, *outlen),
 * or leaves *out NULL when there is none. Returns 0 or CM_ENOMEM.
 */
static int repair(const char *buf, size_t len, char **out, size_t *outlen)
{
    const size_t tl = sizeof(SLIP) - 1, vl = sizeof("Value") - 1;
    size_t n = 0, at, o = 0, from;
    char *copy;

    *out = NULL;
    for (from = 0; (at = find_slip(buf, len, from)) != (size_t)-1; from = at + tl) {
        n += in_tag_name(buf, at);
    }
    if (n == 0) {
        return 0;
    }
    copy = cm_malloc(len + n);
    if (!copy) {
        return CM_ENOMEM;
    }
    for (from = 0; (at = find_slip(buf, len, from)) != (size_t)-1;) {
        size_t upto = in_tag_name(buf, at) ? at + vl : at + tl;

        memcpy(copy + o, buf + from, upto - from);
        o += upto - from;
        if (upto == at + vl) {
            copy[o++] = ' '; /* "Value condition=" */
        }
        from = upto;
    }
    memcpy(copy + o, buf + from, len - from);
    *out = copy;
    *outlen = o + len - from;
    return 0;
}

static int parse(struct stix1 *x, const char *buf, size_t len)
{
    size_t off = 0;

    do {
        size_t n = len - off > (size_t)CHUNK ? (size_t)CHUNK : len - off;
        int final = off + n == len;

        if (XML_Parse(x->xp, buf + off, (int)n, final) != XML_STATUS_OK) {
            enum XML_Error e = XML_GetErrorCode(x->xp);
            char reason[160];

            if (x->rc) {
                return x->rc;
            }
            if (e == XML_ERROR_NO_MEMORY) {
                return CM_ENOMEM;
            }
            snprintf(reason, sizeof(reason), "XML is not well formed: %s", XML_ErrorString(e));
            bad(x, cur_line(x), reason);
            return CM_EINVAL;
        }
        off += n;
    } while (off < len);
    return x->rc;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct stix1 *x;
    char *fixed = NULL;
    size_t fixed_len = 0;
    int rc;

    x = cm_calloc(1, sizeof(*x));
    if (!x) {
        return CM_ENOMEM;
    }
    x->r = r;
    cm_buf_init(&x->text, MAX_TEXT);
    rc = repair(buf, len, &fixed, &fixed_len);
    if (rc < 0) {
        goto out;
    }
    x->xp = XML_ParserCreate_MM(NULL, &mem_suite, NS_SEP);
    if (!x->xp) {
        rc = CM_ENOMEM;
        goto out;
    }
    XML_SetUserData(x->xp, x);
    XML_SetElementHandler(x->xp, on_start, on_end);
    XML_SetCharacterDataHandler(x->xp, on_text);
    XML_SetEntityDeclHandler(x->xp, on_entity);
    XML_SetParamEntityParsing(x->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    rc = fixed ? parse(x, fixed, fixed_len) : parse(x, buf, len);
out:
    if (x->xp) {
        XML_ParserFree(x->xp);
    }
    cm_buf_finish(&x->text);
    cm_free(fixed);
    cm_free(x);
    return rc;
}

/* ---- sniffing ---- */

static int sniff(const char *buf, size_t len)
{
    struct cm_str head = cm_str_make(buf, len < 4096 ? len : 4096);
    struct cm_str s = head;

    if (cm_str_find(head, CM_STR_LIT("STIX_Package")) != (size_t)-1) {
        return 95;
    }
    if (cm_str_starts(s, "\xef\xbb\xbf")) {
        s = cm_str_make(s.p + 3, s.len - 3);
    }
    s = cm_trim(s);
    if (s.len == 0 || s.p[0] != '<') {
        return 0;
    }
    if (cm_str_find(head, CM_STR_LIT("cybox.mitre.org")) != (size_t)-1 ||
        cm_str_find(head, CM_STR_LIT("stix.mitre.org")) != (size_t)-1) {
        return 90;
    }
    return cm_str_starts(s, "<?xml") ? 40 : 10;
}

const struct cm_intel_format cm_intel_format_stix1 = {
    "STIX",
    "STIX 1.x XML: CybOX address, domain, hostname and URI observables (expat)",
    sniff,
    read_all,
};
