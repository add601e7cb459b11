/*
 * Plain logs that grew since an earlier scan read them (detect/filegrow.h; scan_grow.c):
 * what scan_read.c asks of a file a scan that remembers files (cm_scan_opts.file_ids)
 * reads.
 */
#ifndef CM_CORE_SCAN_GROW_H
#define CM_CORE_SCAN_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scan;
struct reader;

/*
 * Input idx, open as fd, is a file an earlier scan read up to a line end, grown since
 * (the state's grown files, cm_scan_opts.files_seen): reads what follows that end into
 * r->raw, a flow log's header line before it, sets *base_off and *base_line so offsets
 * and line numbers are the file's, notes the input's identity, what it resumed from and
 * where the next scan resumes. Returns 1 when so; 0 when the file is to be read whole
 * (not a grown one, or it could not be read so).
 */
int cm_scan_grown_read(struct reader *r, uint32_t idx, int fd, uint64_t *base_off,
                       uint32_t *base_line);
/*
 * Input idx, read as p[0, n) and starting with head[0, nhead), is plain lines in a format
 * read line by line, the last unfinished (no newline), and the file was changed in the last
 * CM_SCAN_SETTLE_S (!settled): a writer may be in the middle of it. Returns the length of
 * that line, for the caller to leave unread and unremembered (the next scan reads it from
 * its start), and notes it skipped, saying why. 0 otherwise: a file left alone that long is
 * complete, its last line read whole.
 */
size_t cm_scan_grow_hold(struct scan *s, uint32_t idx, const char *p, size_t n, const char *head,
                         size_t nhead, bool settled);
/*
 * Input idx was read whole as p[0, n) (an unfinished last line held back already): when it
 * is plain lines in a format read line by line, notes where a later scan resumes it should
 * it grow: at n, after the last line read, ended or not.
 */
void cm_scan_grow_note(struct scan *s, uint32_t idx, const char *p, size_t n);

#endif
