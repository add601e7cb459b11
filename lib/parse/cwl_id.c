/*
 * The identity of a log event out of CloudWatch Logs (cwl.h, cm_cwl_piece.id): its id,
 * hashed, with its log stream's name, so every delivery of the event gives the same.
 */
#include "parse/cwl.h"

#include "base/hash.h"

uint64_t cm_cwl_event_id(const char *p, size_t len)
{
    uint64_t h = cm_hash64(p, len, 0x63776c6576656e74ULL);

    return h ? h : 1;
}

uint64_t cm_cwl_event_id_of(const struct cm_json_doc *d, uint32_t root)
{
    uint32_t v = cm_json_getn(d, root, "id", 2);

    if (v == CM_JSON_NONE || cm_json_type(d, v) != CM_JSON_STRING) {
        v = cm_json_getn(d, root, "eventId", 7);
    }
    if (v == CM_JSON_NONE || cm_json_type(d, v) != CM_JSON_STRING) {
        return 0;
    }
    return cm_cwl_event_id(d->src + cm_json_at(d, v)->off, cm_json_at(d, v)->len);
}

void cm_cwl_stream_ids(struct cm_cwl *c, size_t from, struct cm_str stream)
{
    uint64_t hs = cm_hash64(stream.p != NULL ? stream.p : "", stream.len, 0x73747265616dULL);

    for (size_t k = from; k < c->npiece; k++) {
        if (c->piece[k].id != 0) {
            uint64_t h = cm_hash_mix64(c->piece[k].id ^ hs);

            c->piece[k].id = h ? h : 1;
        }
    }
}
