/* UUIDs in text form, version 4 bits set (see uuid.h). */
#include "base/uuid.h"

#include <stddef.h>

void cm_uuid_format(const unsigned char b[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    for (int i = 0; i < 16; i++) {
        unsigned v = b[i];

        if (i == 6) {
            v = (v & 0x0fu) | 0x40u; /* version 4 */
        } else if (i == 8) {
            v = (v & 0x3fu) | 0x80u; /* variant 10 */
        }
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[v >> 4];
        out[o++] = hex[v & 15];
    }
    out[o] = '\0';
}

void cm_uuid_of_hashes(uint64_t hi, uint64_t lo, char out[37])
{
    unsigned char b[16];

    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    cm_uuid_format(b, out);
}
