/*
 * The coalmine.yaml loader's libyaml event walker: it drives
 * yaml_parser_parse() one event at a time, refuses what the config does not
 * support (anchors, aliases, tags, %TAG directives, a second document,
 * nesting deeper than CM_CONFIG_MAX_DEPTH), keeps the key path of the value
 * being read, and writes every message with its line:col (libyaml's own
 * errors included, with a hint for tab indentation). It also holds the
 * scalar tests the setters share. The schema, the setters and the public
 * API are config.c's; core/config_impl.h is what the two files share.
 *
 * The walker never recurses: config.c's tables decide which nodes are
 * descended into, and the depth count here is a backstop over the events
 * themselves.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "base/alloc.h"
#include "base/err.h"
#include "core/config_impl.h"

/* Writes s[0..n) double-quoted, escaped and cut at QUOTE_MAX bytes; outlen >= 16. */
void cm_config_quote(char *out, size_t outlen, const char *s, size_t n)
{
    size_t o = 0;

    out[o++] = '"';
    for (size_t i = 0; i < n && i < QUOTE_MAX && o + 8 < outlen; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch >= 0x20 && ch < 0x7f) {
            out[o++] = (char)ch;
        } else {
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", ch);
        }
    }
    out[o++] = '"';
    if (n > QUOTE_MAX && o + 4 < outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* Reports msg at line:col (1-based) under the current key path. Returns CM_EINVAL. */
int cm_config_fail_at(struct walk *w, size_t line, size_t col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w->errlen > 0) {
        snprintf(w->err, w->errlen, "%s%s%zu:%zu: %s%s%s", w->name ? w->name : "",
                 w->name ? ":" : "", line, col, w->path, w->pathlen ? ": " : "", msg);
    }
    return CM_EINVAL;
}

/* Reports an error without a position ("NAME: msg"). */
int cm_config_fail_whole(struct walk *w, int rc, const char *msg)
{
    if (w->errlen > 0) {
        snprintf(w->err, w->errlen, "%s%s%s", w->name ? w->name : "", w->name ? ": " : "", msg);
    }
    return rc;
}

/* True when buf[i] ends a line: LF, CR LF (at the LF) or a lone CR, as libyaml counts them. */
static bool is_break(const struct walk *w, size_t i)
{
    return w->buf[i] == '\n' || (w->buf[i] == '\r' && (i + 1 == w->len || w->buf[i + 1] != '\n'));
}

/* True when line (0-based) of the input is indented with a tab. */
static bool tab_indented(const struct walk *w, size_t line)
{
    size_t i = 0;

    for (size_t l = 0; l < line && i < w->len; i++) {
        l += is_break(w, i);
    }
    for (; i < w->len && (w->buf[i] == ' ' || w->buf[i] == '\t'); i++) {
        if (w->buf[i] == '\t') {
            return true;
        }
    }
    return false;
}

/* Turns libyaml's error into ours: where, what, and in which construct. */
static int syntax_error(struct walk *w)
{
    const yaml_parser_t *p = &w->parser;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    size_t line = 1, col = 1;

    if (p->error == YAML_MEMORY_ERROR) {
        return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
    }
    cm_config_pop(w, 0); /* a syntax error is about the text, not about a key: the walk ends here */
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset: count lines and characters up to it. */
        for (size_t i = 0; i < p->problem_offset && i < w->len; i++) {
            if (is_break(w, i)) {
                line++;
                col = 1;
            } else {
                col += ((unsigned char)w->buf[i] & 0xc0) != 0x80; /* not a continuation byte */
            }
        }
        if (p->problem_value != -1) {
            return cm_config_fail_at(w, line, col, "not UTF-8 text: %s (byte 0x%02x)", problem,
                                     (unsigned)p->problem_value & 0xffu);
        }
        return cm_config_fail_at(w, line, col, "not UTF-8 text: %s", problem);
    }
    line = p->problem_mark.line + 1;
    col = p->problem_mark.column + 1;
    return cm_config_fail_at(
        w, line, col, "YAML syntax error: %s%s%s%s%s", problem, p->context ? " (" : "",
        p->context ? p->context : "", p->context ? ")" : "",
        tab_indented(w, p->problem_mark.line)
            ? "; the line is indented with a tab: YAML indents with spaces only"
            : "");
}

/* Refuses what an event may carry that we do not support: anchors, aliases and tags. */
static int check_props(struct walk *w, const yaml_char_t *anchor, const yaml_char_t *tag,
                       const char *what_anchor)
{
    char q[QUOTE_MAX * 4 + 8];

    if (anchor) {
        cm_config_quote(q, sizeof(q), (const char *)anchor, strlen((const char *)anchor));
        return FAIL(w, w->ev.start_mark,
                    "%s%s: anchors and aliases are not supported (write each value out where it "
                    "is used, so the file reads as it means)",
                    what_anchor, q);
    }
    if (tag) {
        cm_config_quote(q, sizeof(q), (const char *)tag, strlen((const char *)tag));
        return FAIL(w, w->ev.start_mark,
                    "tag %s: tags are not supported (each key has one type; write the value "
                    "plainly)",
                    q);
    }
    return 0;
}

/* Moves to the next event, refusing aliases, anchors, tags and too deep nesting. */
int cm_config_next(struct walk *w)
{
    const yaml_event_t *e = &w->ev;

    if (w->have_ev) {
        yaml_event_delete(&w->ev);
        w->have_ev = false;
    }
    if (!yaml_parser_parse(&w->parser, &w->ev)) {
        return syntax_error(w);
    }
    w->have_ev = true;
    switch (e->type) {
    case YAML_ALIAS_EVENT:
        return check_props(w, e->data.alias.anchor, NULL, "alias *");
    case YAML_SCALAR_EVENT:
        return check_props(w, e->data.scalar.anchor, e->data.scalar.tag, "anchor &");
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (++w->depth > CM_CONFIG_MAX_DEPTH) {
            return FAIL(w, e->start_mark, "nested deeper than %d levels", CM_CONFIG_MAX_DEPTH);
        }
        if (e->type == YAML_SEQUENCE_START_EVENT) {
            return check_props(w, e->data.sequence_start.anchor, e->data.sequence_start.tag,
                               "anchor &");
        }
        return check_props(w, e->data.mapping_start.anchor, e->data.mapping_start.tag, "anchor &");
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        w->depth--;
        return 0;
    default:
        return 0;
    }
}

/* A scalar event's text (libyaml NUL-terminates it too). */
struct cm_str cm_config_scalar_str(const yaml_event_t *e)
{
    return cm_str_make((const char *)e->data.scalar.value, e->data.scalar.length);
}

static bool is_plain(const yaml_event_t *e)
{
    return e->type == YAML_SCALAR_EVENT && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

bool cm_config_scalar_is(const yaml_event_t *e, const char *const *words)
{
    for (; is_plain(e) && *words; words++) {
        if (cm_str_eqc(cm_config_scalar_str(e), *words)) {
            return true;
        }
    }
    return false;
}

const char *const cm_config_null_words[] = {"", "~", "null", "Null", "NULL", NULL};
const char *const cm_config_true_words[] = {"true", "True", "TRUE", NULL};
const char *const cm_config_false_words[] = {"false", "False", "FALSE", NULL};

/* A plain run of decimal digits with an optional '-' (whether or not it fits). */
bool cm_config_looks_int(const yaml_event_t *e)
{
    long long v;

    return is_plain(e) &&
           cm_str_to_i64(cm_config_scalar_str(e), LLONG_MIN, LLONG_MAX, &v) != CM_EINVAL;
}

/* What the current node is, for "expected X, got Y". */
const char *cm_config_what(const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_MAPPING_START_EVENT:
        return "a mapping";
    case YAML_SEQUENCE_START_EVENT:
        return "a list";
    case YAML_SCALAR_EVENT:
        if (cm_config_scalar_is(e, cm_config_null_words)) {
            return "nothing (null)";
        }
        if (cm_config_scalar_is(e, cm_config_true_words) ||
            cm_config_scalar_is(e, cm_config_false_words)) {
            return "a boolean";
        }
        if (cm_config_looks_int(e)) {
            return "an integer";
        }
        return e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? "a string" : "a quoted string";
    default:
        return "something else";
    }
}

/* Appends ".name" (or "[i]" when name is NULL) to the key path; returns the old length. */
size_t cm_config_push(struct walk *w, const char *name, size_t i)
{
    size_t old = w->pathlen;

    if (name) {
        snprintf(w->path + old, sizeof(w->path) - old, "%s%s", old ? "." : "", name);
    } else {
        snprintf(w->path + old, sizeof(w->path) - old, "[%zu]", i);
    }
    w->pathlen = strlen(w->path);
    return old;
}

void cm_config_pop(struct walk *w, size_t old)
{
    w->pathlen = old;
    w->path[old] = '\0';
}

/*
 * The current node as a non-empty string (plain or quoted; not null, not a
 * boolean, no NUL bytes). expected names the wanted type for the message.
 */
int cm_config_take_string(struct walk *w, const char *expected, struct cm_str *out)
{
    const yaml_event_t *e = &w->ev;

    if (e->type != YAML_SCALAR_EVENT || cm_config_scalar_is(e, cm_config_null_words) ||
        cm_config_scalar_is(e, cm_config_true_words) ||
        cm_config_scalar_is(e, cm_config_false_words)) {
        return FAIL(w, e->start_mark, "expected %s, got %s", expected, cm_config_what(e));
    }
    if (e->data.scalar.length == 0) {
        return FAIL(w, e->start_mark, "expected %s, got an empty string", expected);
    }
    if (memchr(e->data.scalar.value, '\0', e->data.scalar.length) != NULL) {
        return FAIL(w, e->start_mark, "contains a NUL character");
    }
    *out = cm_config_scalar_str(e);
    return 0;
}

/* The stream: nothing, or one document whose root node root() reads. */
static int walk_stream(struct walk *w, int (*root)(struct walk *w))
{
    int rc;

    /* The stream start, then the document. */
    if ((rc = cm_config_next(w)) != 0 || (rc = cm_config_next(w)) != 0) {
        return rc;
    }
    if (w->ev.type == YAML_STREAM_END_EVENT) {
        return 0; /* empty, or only comments */
    }
    if (w->ev.data.document_start.tag_directives.start !=
        w->ev.data.document_start.tag_directives.end) {
        return FAIL(w, w->ev.start_mark, "%%TAG directives are not supported (tags are not)");
    }
    if ((rc = cm_config_next(w)) != 0) {
        return rc;
    }
    /* The root node, the document end, then? */
    if ((rc = root(w)) != 0 || (rc = cm_config_next(w)) != 0 || (rc = cm_config_next(w)) != 0) {
        return rc;
    }
    if (w->ev.type != YAML_STREAM_END_EVENT) {
        return FAIL(w, w->ev.start_mark,
                    "a second YAML document: the config is one document (a second one would "
                    "not be read, so it is refused)");
    }
    return 0;
}

/* Sets up the parser over buf, walks the stream, and frees what the walk holds. */
int cm_config_walk(struct walk *w, const char *buf, size_t len, int (*root)(struct walk *w))
{
    int rc;

    if (!yaml_parser_initialize(&w->parser)) {
        return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
    }
    w->buf = buf ? buf : "";
    w->len = buf ? len : 0;
    yaml_parser_set_input_string(&w->parser, (const unsigned char *)w->buf, w->len);
    yaml_parser_set_encoding(&w->parser, YAML_UTF8_ENCODING);
    rc = walk_stream(w, root);
    if (w->have_ev) {
        yaml_event_delete(&w->ev);
        w->have_ev = false;
    }
    yaml_parser_delete(&w->parser);
    cm_free(w->names);
    w->names = NULL;
    w->nnames = w->namescap = 0;
    return rc;
}
