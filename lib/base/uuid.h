/*
 * UUIDs in RFC 9562's text form, version 4 (random or hashed bits): the event ids of
 * findings and canaries (hashes: the same event gets the same id) and the names of
 * exported objects (random bytes the caller read). No I/O, no randomness of its own.
 */
#ifndef CM_BASE_UUID_H
#define CM_BASE_UUID_H

#include <stdint.h>

/* Writes b's 16 bytes as "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx" and a NUL: the
 * version and variant bits are set, the other 122 are b's. */
void cm_uuid_format(const unsigned char b[16], char out[37]);

/* The same of two 64-bit hashes, hi first, each most significant byte first. */
void cm_uuid_of_hashes(uint64_t hi, uint64_t lo, char out[37]);

#endif
