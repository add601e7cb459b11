/*
 * Geo and ASN enrichment from MMDB files (MaxMind GeoIP2/GeoLite2, DB-IP,
 * ipinfo) through libmaxminddb: fills GuardDuty's remoteIpDetails
 * (country, city, geoLocation, organization {asn, asnOrg, isp, org}).
 *
 * A struct cm_geoip holds one or more opened databases. Each database's
 * metadata database_type decides which schema it is read with and which
 * fields it can give (docs/internals/geoip-awsranges.md has the table):
 *
 *   GeoIP2-City, GeoLite2-City, DBIP-City-*, DBIP-Location-*   country, city, location
 *   GeoIP2-Country, GeoLite2-Country, DBIP-Country-*           country
 *   GeoIP2-Enterprise, GeoIP2-Precision-Enterprise, DBIP-Location-ISP-*
 *                                                 country, city, location, asn, isp, org
 *   GeoLite2-ASN, DBIP-ASN-*                                   asn, asnOrg
 *   GeoIP2-ISP, DBIP-ISP-*                                     asn, asnOrg, isp, org
 *   ipinfo ... (country_asn, lite, location, ...)             whatever of those it has
 *
 * (and the -Shield, -Europe... variants of each name). A database of any
 * other type (Anonymous-IP, Connection-Type, Domain, test trees...) gives
 * none of these fields and is refused when opened.
 *
 * Merge order: databases are consulted in the order given and a later one
 * fills only what the earlier ones left empty, so "City then ASN then ISP"
 * takes country/city/location from City, asn/asnOrg from ASN and isp/org
 * from ISP. Pairs stay together: lat/lon, and asn/asnOrg, come from the
 * first database that has either. Fields no database has stay empty:
 * nothing is invented (no GuardDuty "-1" asn, no registered_country
 * stand-in for country).
 *
 * Only public addresses are looked up (cm_ip_is_public: not RFC 1918,
 * CGNAT, loopback, link-local, multicast, documentation or reserved);
 * IPv4-mapped IPv6 is looked up as IPv4.
 *
 * Threads: a struct cm_geoip is read-only after cm_geoip_open(). libmaxminddb
 * documents itself as thread safe (with a thread-safe malloc, which glibc
 * is): MMDB_lookup_sockaddr() and MMDB_aget_value() only read the mapped
 * file and write to the caller's stack, so any number of threads may call
 * cm_geoip_lookup() and cm_geoip_enrich() (on different findings) on one
 * struct cm_geoip at once. cm_geoip_close() must not race with them.
 *
 * This is src/ code: it opens and maps files.
 */
#ifndef CM_SRC_INTEL_GEOIP_H
#define CM_SRC_INTEL_GEOIP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/ip.h"
#include "finding/finding.h"

/* Most databases one struct cm_geoip holds. */
#define CM_GEOIP_MAX_DBS 16

/* Fields a database can give (cm_geoip_fields). */
#define CM_GEO_F_COUNTRY  0x01u /* country.countryCode, country.countryName */
#define CM_GEO_F_CITY     0x02u /* city.cityName */
#define CM_GEO_F_LOCATION 0x04u /* geoLocation.lat, geoLocation.lon */
#define CM_GEO_F_ASN      0x08u /* organization.asn, organization.asnOrg */
#define CM_GEO_F_ISP      0x10u /* organization.isp */
#define CM_GEO_F_ORG      0x20u /* organization.org */

/*
 * What the databases know about one address. Strings are NUL-terminated
 * UTF-8 copied into the struct (cut at a character boundary when longer);
 * "" is unknown. No allocation per lookup.
 */
struct cm_geo {
    char country_code[8];  /* ISO 3166-1 alpha-2, "GB" */
    char country_name[96]; /* English, "United Kingdom" */
    char city[128];        /* English, "London" */
    char asn[16];          /* decimal, "29518" (GuardDuty's asn is a string) */
    char asn_org[128];     /* "Bredband2 AB" */
    char isp[128];
    char org[128];
    bool has_location; /* lat and lon are set (both from the same database) */
    double lat, lon;
};

struct cm_geoip;

/*
 * Opens the n MMDB files paths[0..n) (1 <= n <= CM_GEOIP_MAX_DBS), in merge
 * order. Returns 0 and *out (free with cm_geoip_close), or an error with a
 * message naming the file in err[0..errlen): CM_EIO (missing or unreadable:
 * libmaxminddb's reason and the system's), CM_EFORMAT (not an MMDB file, or
 * corrupt metadata: libmaxminddb's reason; or a database type that carries
 * no field listed above), CM_EINVAL (n out of range), CM_ENOMEM.
 */
int cm_geoip_open(struct cm_geoip **out, const char *const *paths, size_t n, char *err,
                  size_t errlen);

/* Unmaps every database and frees g; NULL is a no-op. */
void cm_geoip_close(struct cm_geoip *g);

/* Databases held, and each one's database_type and CM_GEO_F_* fields (i < count). */
size_t cm_geoip_count(const struct cm_geoip *g);
const char *cm_geoip_type(const struct cm_geoip *g, size_t i);
unsigned cm_geoip_fields(const struct cm_geoip *g, size_t i);

/*
 * Looks ip up in every database, merging as described above; *out is
 * cleared first. Returns 0 when at least one database has a record for ip;
 * CM_ENOTFOUND when none has (out stays empty); CM_EINVAL when ip is not a
 * public address (or not an address): it is not looked up; CM_EFORMAT when
 * a database's data for ip is corrupt (the others still fill out). g may
 * be NULL (CM_ENOTFOUND for public addresses).
 */
int cm_geoip_lookup(const struct cm_geoip *g, const struct cm_ip *ip, struct cm_geo *out);

/*
 * Fills every remoteIpDetails of f (awsApiCallAction, networkConnectionAction
 * and each portProbeDetails entry) from its ipAddressV4 (else ipAddressV6):
 * country code and name, city, geoLocation, asn, asnOrg, isp and org. Only
 * members the finding does not have yet are set (input that came with geo
 * data keeps it); strings are copied into f's arena with cm_finding_set().
 * A remote IP that is absent, not parseable, not public or unknown to every
 * database is left as it is. Returns 0, or CM_ENOMEM / CM_E2BIG from the
 * arena (f keeps what was set before). g may be NULL (nothing to do).
 */
int cm_geoip_enrich(const struct cm_geoip *g, struct cm_finding *f);

#endif
