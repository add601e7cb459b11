/*
 * dnscat2's packets, read out of query names and answers (dns_tunnel.h,
 * cm_dns_tunnel_dnscat; why the detector asks: docs/detectors/dns-tunnel.md).
 *
 * dnscat2, and Symbiote's port of it, writes one packet per query name,
 * hex-encoded in the labels left of its domain (the client may put a
 * "dnscat" label first, and a port may add a fixed label after the data,
 * as Symbiote's ".git"); its server answers each with a packet of its own,
 * hex in a TXT text or in the labels of a CNAME or MX name under the same
 * domain. Every packet starts with a 16-bit packet id (new for each
 * packet), a type byte (SYN 0, MSG 1, FIN 2, ENC 3) and the 16-bit session
 * id, which every packet of a session repeats, both ways, and nothing
 * encrypts. A session is therefore visible from its first few packets,
 * before it has moved any data.
 */
#include "detect/dns_tunnel.h"
#include "base/str.h"

/*
 * Packets of at least 9 bytes: the id, type and session (5 bytes) plus a
 * SYN's sequence number and options, a MSG's sequence and acknowledgement
 * numbers, or an ENC's subtype and flags. Names hold at most 255 bytes,
 * so no packet in a name is longer than 127.
 */
#define DNSCAT_MIN_BYTES 9u
#define DNSCAT_MAX_BYTES 127u
#define DNSCAT_MAX_TYPE  3u /* ENC; PING (0xff) is a test packet, never a session */

/* Whether p[0..n) is the label "dnscat", in any case. */
static bool dnscat_label(const char *p, size_t n)
{
    static const char tag[] = "dnscat";

    if (n != sizeof(tag) - 1) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((p[i] | 0x20) != tag[i]) {
            return false;
        }
    }
    return true;
}

bool cm_dns_tunnel_dnscat(struct cm_str data, struct cm_dnscat_packet *out)
{
    uint8_t head[5] = {0};
    size_t i = 0, digits = 0;

    if (data.p == NULL) {
        return false;
    }
    /* The labels from the first, after an optional "dnscat", while they are all hex. */
    while (i < data.len) {
        size_t j = i;

        while (j < data.len && data.p[j] != '.') {
            j++;
        }
        if (i == 0 && dnscat_label(data.p, j)) {
            i = j + 1;
            continue;
        }
        for (size_t k = i; k < j; k++) {
            if (cm_hex_digit(data.p[k]) < 0) {
                j = i; /* not a hex label: the packet ends before it */
                break;
            }
        }
        if (j == i) {
            break;
        }
        for (size_t k = i; k < j; k++, digits++) {
            if (digits < 2 * sizeof(head)) {
                int v = cm_hex_digit(data.p[k]);

                head[digits / 2] = (uint8_t)(head[digits / 2] | (digits % 2 ? v : v << 4));
            }
        }
        i = j + 1;
    }
    if (digits % 2 != 0 || digits < 2 * DNSCAT_MIN_BYTES || digits > 2 * DNSCAT_MAX_BYTES ||
        head[2] > DNSCAT_MAX_TYPE) {
        return false;
    }
    out->id = (uint16_t)(head[0] << 8 | head[1]);
    out->type = head[2];
    out->session = (uint16_t)(head[3] << 8 | head[4]);
    out->bytes = (uint32_t)(digits / 2);
    return true;
}
