/*
 * The Public Suffix List as a seeded hash set, for splitting names fast.
 *
 * libpsl answers the same question (base/domain.h uses it when no set is
 * given), but at several hundred nanoseconds to microseconds a name; a
 * detector that splits every query of a Resolver log needs tens. So src/
 * reads the list's text (the Debian package publicsuffix installs it,
 * /usr/share/publicsuffix/public_suffix_list.dat: the same data libpsl's
 * built-in list comes from) and cm_psl_parse builds this set from it; lib/
 * reads no file.
 *
 * Matching follows the list's algorithm (publicsuffix.org/list): among the
 * rules that match the name's rightmost labels, an exception rule (!rule)
 * prevails and gives its rule minus the leftmost label; else the rule with
 * the most labels; with none, the implicit rule "*" (the last label). A
 * wildcard (*.rule) matches any one label. Rules in Unicode are stored in
 * their ASCII form (punycode, "xn--"), as Resolver logs write names. Rules
 * after the "===BEGIN PRIVATE DOMAINS===" line are private (duckdns.org,
 * s3.amazonaws.com, ...).
 *
 * One difference from libpsl, by design: the bare base of a wildcard rule
 * asked as is ("kobe.jp" under "*.kobe.jp", "compute-1.amazonaws.com")
 * is, by the list's algorithm, a registered domain under its parent's
 * rule; libpsl calls it a public suffix. Every name below the base splits
 * the same (a differential test over every rule found only these).
 */
#ifndef CM_BASE_PSL_H
#define CM_BASE_PSL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct cm_psl;

/*
 * Builds the set from the list's text. A line that holds no valid rule (a
 * bad label, an unencodable name) is skipped and counted in *skipped (may
 * be NULL). Returns 0, CM_ENOMEM, or CM_EINVAL when the text holds no rule
 * at all (diag says so).
 */
int cm_psl_parse(const char *text, size_t len, uint64_t seed, struct cm_psl **out, size_t *skipped,
                 struct cm_diag *diag);

void cm_psl_free(struct cm_psl *p);

/* Rules in the set. */
size_t cm_psl_rules(const struct cm_psl *p);

/*
 * For the normalised name (lowercase ASCII, no trailing dot) p[0..len):
 * the offset of its public suffix, and whether the prevailing rule is a
 * private one. A name that is its own public suffix gives 0.
 */
size_t cm_psl_suffix(const struct cm_psl *p, const char *name, size_t len, bool *priv);

/* Label starts cm_psl_suffix_at may be given: more than any name has. */
#define CM_PSL_MAX_STARTS 128

/*
 * cm_psl_suffix for a caller that has found the name's labels: starts[0..n)
 * are where they begin, from the last label's leftwards (starts[n - 1] is 0
 * unless the name has more than CM_PSL_MAX_STARTS labels). Only the last
 * few are read (no rule has more labels than the set's longest). The 16
 * bytes after name[len - 1] must be readable (cm_hash_label reads a label
 * 16 bytes at a time; struct cm_domain's name has CM_DOMAIN_PAD of them).
 * *listed: whether a rule of the list prevails, as opposed to only the
 * implicit "*" rule (the TLD of "x.intra" or "x.mycompany", which no rule
 * knows).
 */
size_t cm_psl_suffix_at(const struct cm_psl *p, size_t len, const char *name, const size_t *starts,
                        unsigned n, bool *priv, bool *listed);

#endif
