/*
 * Line and CSV helpers shared by the threat-list readers (format_*.c).
 *
 * - struct cm_lines walks a buffer line by line: LF or CRLF endings (a lone
 *   CR before the LF is dropped), 1-based line numbers, a UTF-8 byte order
 *   mark at the very start skipped, a last line without LF returned, no
 *   extra empty line after a final LF.
 * - cm_csv_split() splits one line into fields: a configurable one-byte
 *   separator, RFC 4180 quoting (a field that starts with '"' runs to the
 *   matching '"', a doubled "" inside stands for one '"'), whitespace around
 *   fields trimmed (not inside quotes). A quoted field may not span lines: an
 *   unterminated quote makes the line bad (CM_ESYNTAX and a reason).
 * - cm_split() splits at a separator with no quoting at all (Zeek TSV, the
 *   '#'-separated AlienVault lines).
 * - cm_trim(), cm_trim_quotes(), cm_token(): slices of a field or line.
 * - cm_intel_emit() and cm_intel_bad(): hand an item or a bad record to a
 *   struct cm_intel_reader.
 *
 * Nothing here allocates except cm_csv_split() into a caller's scratch
 * buffer, and only for quoted fields that hold doubled quotes. Every slice
 * returned borrows from the input (or from the scratch buffer).
 */
#ifndef CM_INTEL_FORMAT_UTIL_H
#define CM_INTEL_FORMAT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/str.h"
#include "intel/format.h"

/* Longest line a line-oriented reader takes; longer ones are bad records. */
#define CM_INTEL_LINE_MAX 4096

/* A walk over the lines of a buffer. Fields are private to format_util.c. */
struct cm_lines {
    const char *buf;
    size_t len;
    size_t off;    /* where the next line starts */
    uint32_t line; /* 1-based number of the line last returned; 0 before the first */
};

/* Starts a walk over buf[0..len), skipping a UTF-8 BOM at the start. */
void cm_lines_init(struct cm_lines *it, const char *buf, size_t len);

/*
 * The next line, without its LF or CRLF, in *line (it->line is then its
 * number). Returns false at the end of the buffer.
 */
bool cm_lines_next(struct cm_lines *it, struct cm_str *line);

/*
 * The next line that is neither blank nor a comment (first non-blank byte
 * '#'), untrimmed. Returns false at the end of the buffer.
 */
bool cm_lines_next_data(struct cm_lines *it, struct cm_str *line);

/* True for the ASCII whitespace bytes: space, \t, \n, \v, \f, \r. */
/*
 * The 1-based line of byte offset off in src, counted on from the last call
 * (*line_off is where line *line_no starts; start with 0 and 1). Cheap for
 * ascending offsets; a smaller offset starts over.
 */
uint32_t cm_line_at(const char *src, size_t off, size_t *line_off, uint32_t *line_no);

/*
 * The first 4 KiB of buf when, past a UTF-8 BOM and white space, it starts
 * like a JSON document ('{' or '['); an empty slice otherwise. For sniff().
 */
struct cm_str cm_json_head(const char *buf, size_t len);

static inline bool cm_is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* s without leading and trailing ASCII whitespace. */
struct cm_str cm_trim(struct cm_str s);

/*
 * s without surrounding whitespace, then without one matching pair of
 * surrounding quotes ('"' or '\''), then without whitespace inside them.
 */
struct cm_str cm_trim_quotes(struct cm_str s);

/*
 * The first whitespace-separated token of s (empty, p at the end of s, when
 * s is blank); *rest (may be NULL) gets what follows it, untrimmed.
 */
struct cm_str cm_token(struct cm_str s, struct cm_str *rest);

/*
 * True when s holds a control byte (0x00-0x1f other than \t, or 0x7f): text
 * like that is no list entry.
 */
bool cm_has_ctl(struct cm_str s);

/* One CSV row: the caller's field array and what cm_csv_split() found. */
struct cm_csv_row {
    struct cm_str *f; /* the caller's array of max slices */
    size_t max;
    size_t n;               /* fields in the line; only the first max are stored in f */
    struct cm_buf *scratch; /* unescaped "" fields go here; NULL: such fields stay raw */
    const char *reason;     /* on CM_ESYNTAX: why the line is bad (static text) */
};

/*
 * Splits line into row->f at sep (',', ';', '\t', '|', '#', ...). An empty
 * line is one empty field. A quoted field's slice is its content without the
 * quotes; when it holds doubled quotes and row->scratch is set, the slice is
 * an unescaped copy in scratch (reset at each call, so valid until the next
 * call), else the raw content. Returns 0, CM_ESYNTAX (row->reason says why:
 * unterminated quote, text after a closing quote) or CM_ENOMEM / CM_E2BIG
 * from the scratch buffer.
 */
int cm_csv_split(struct cm_str line, char sep, struct cm_csv_row *row);

/*
 * The next data line of it (also set in *line when line is not NULL) split
 * at sep into row. A line that does not split (a bad quote, or longer than
 * the row's scratch) is reported through r as a bad record with its line and
 * skipped. Returns 1 with a row (its line is it->line), 0 at the end, or a
 * negative CM_E* (CM_ENOMEM).
 */
int cm_csv_next_row(struct cm_lines *it, char sep, struct cm_csv_row *row, struct cm_str *line,
                    const struct cm_intel_reader *r);

/* Splits line at every sep, with no quoting; fields trimmed. Never fails. */
void cm_split(struct cm_str line, char sep, struct cm_csv_row *row);

/*
 * The index of the first of the n fields that equals name ASCII
 * case-insensitively after cm_trim_quotes(); (size_t)-1 when none does.
 */
size_t cm_csv_col(const struct cm_str *f, size_t n, const char *name);

/*
 * Hands one item to r->item: value, threat and category go through
 * cm_trim_quotes() first (value2 empty; absent threat or category become
 * ""). A value left empty is reported as a bad record ("empty indicator")
 * instead. Returns the callback's return, or 0.
 */
int cm_intel_emit(const struct cm_intel_reader *r, enum cm_intel_value kind, struct cm_str value,
                  struct cm_str threat, struct cm_str category, uint32_t line);

/* Reports a bad record through r->bad when there is one. */
void cm_intel_bad(const struct cm_intel_reader *r, uint32_t line, const char *reason);

/*
 * Writes "what: text" into out (cap bytes, NUL-terminated; text cut to fit
 * and its control bytes shown as '?') and returns out: a reason that names
 * the offending text, e.g. cm_intel_reason(b, sizeof(b), "unknown indicator
 * type", type).
 */
const char *cm_intel_reason(char *out, size_t cap, const char *what, struct cm_str text);

#endif
