/*
 * cm_gen_inventory: the world's instances as `aws ec2 describe-instances`
 * prints them, so a scan can name instances and tell EMR nodes apart
 * (`coalmine scan --inventory`). One reservation per account, each instance
 * with its type, image, zone, running state, instance profile, Name and tier
 * tags, and its primary interface (ENI, subnet, VPC, private and public
 * addresses and DNS names). The instances a scenario names as EMR nodes
 * carry the tags EMR puts on its nodes (aws:elasticmapreduce:job-flow-id and
 * instance-group-role).
 */
#include "gen/gen.h"

#include <stdio.h>
#include <string.h>

#include "base/time.h"
#include "gen/rng.h"

static const char *const tier_names[CM_GEN_NTIERS] = {"web",    "app",     "db",
                                                      "worker", "bastion", "cache"};
static const char *const tier_types[CM_GEN_NTIERS] = {"t3.medium",  "m5.large", "r5.xlarge",
                                                      "c5.2xlarge", "t3.micro", "r6g.large"};

static void ip_text(uint32_t ip, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(ip >> 24), (unsigned)((ip >> 16) & 255),
             (unsigned)((ip >> 8) & 255), (unsigned)(ip & 255));
}

/* Whether instance id is in the space-separated list emr. */
static bool listed(const char *emr, const char *id)
{
    size_t n = strlen(id);
    const char *p;

    for (p = emr; p != NULL && (p = strstr(p, id)) != NULL; p += n) {
        if ((p == emr || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
            return true;
        }
    }
    return false;
}

/* The private and public DNS names of the instance's addresses. */
static void dns_names(const struct cm_gen_region *g, const struct cm_gen_instance *in,
                      char priv[96], char pub[96])
{
    uint32_t a = in->ip, b = in->public_ip;

    snprintf(priv, 96, "ip-%u-%u-%u-%u.%s", (unsigned)(a >> 24), (unsigned)((a >> 16) & 255),
             (unsigned)((a >> 8) & 255), (unsigned)(a & 255), g->dns_suffix);
    pub[0] = '\0';
    if (b != 0) {
        snprintf(pub, 96, "ec2-%u-%u-%u-%u.%s.compute.amazonaws.com", (unsigned)(b >> 24),
                 (unsigned)((b >> 16) & 255), (unsigned)((b >> 8) & 255), (unsigned)(b & 255),
                 g->name);
    }
}

static int instance(struct cm_buf *b, const struct cm_gen_world *w,
                    const struct cm_gen_instance *in, const char *launch, bool emr, bool first)
{
    const struct cm_gen_vpc *v = &w->vpcs[in->vpc];
    const struct cm_gen_subnet *s = &v->subnets[in->subnet];
    const struct cm_gen_region *g = w->regions[v->region];
    const struct cm_gen_account *a = &w->accounts[in->account];
    char ip[16], pip[16], priv[96], pub[96], assoc[256];
    int rc;

    ip_text(in->ip, ip);
    ip_text(in->public_ip, pip);
    dns_names(g, in, priv, pub);
    assoc[0] = '\0';
    if (in->public_ip != 0) {
        snprintf(assoc, sizeof(assoc),
                 ",\n              \"Association\": {\"PublicIp\": \"%s\", "
                 "\"PublicDnsName\": \"%s\", \"IpOwnerId\": \"amazon\"}",
                 pip, pub);
    }
    rc = cm_buf_printf(
        b,
        "%s\n        {\n"
        "          \"InstanceId\": \"%s\",\n"
        "          \"InstanceType\": \"%s\",\n"
        "          \"ImageId\": \"ami-0%016llx\",\n"
        "          \"LaunchTime\": \"%s\",\n"
        "          \"Placement\": {\"AvailabilityZone\": \"%s%c\"},\n"
        "          \"State\": {\"Code\": 16, \"Name\": \"running\"},\n"
        "          \"IamInstanceProfile\": {\"Arn\": \"arn:aws:iam::%s:instance-profile/%s\"},\n"
        "          \"SubnetId\": \"%s\",\n"
        "          \"VpcId\": \"%s\",\n"
        "          \"PrivateIpAddress\": \"%s\",\n"
        "          \"PrivateDnsName\": \"%s\",\n"
        "          \"PublicDnsName\": \"%s\",\n"
        "          \"NetworkInterfaces\": [\n"
        "            {\n"
        "              \"NetworkInterfaceId\": \"%s\",\n"
        "              \"SubnetId\": \"%s\",\n"
        "              \"VpcId\": \"%s\",\n"
        "              \"PrivateIpAddress\": \"%s\",\n"
        "              \"PrivateDnsName\": \"%s\",\n"
        "              \"Attachment\": {\"DeviceIndex\": 0, \"AttachTime\": \"%s\"}%s\n"
        "            }\n"
        "          ],\n"
        "          \"Tags\": [\n"
        "            {\"Key\": \"Name\", \"Value\": \"%s-%s-%s\"},\n"
        "            {\"Key\": \"tier\", \"Value\": \"%s\"}",
        first ? "" : ",", in->id, tier_types[in->tier],
        (unsigned long long)(cm_gen_hash4(w->seed, 0x616d69ULL, in->tier, v->region) >> 4), launch,
        g->name, s->az == 0 ? 'a' : 'b', a->id, w->roles[in->role].name, s->id, v->id, ip, priv,
        pub, in->eni, s->id, v->id, ip, priv, launch, assoc, a->env, tier_names[in->tier],
        in->id + 2 + 13, tier_names[in->tier]);
    if (rc == 0 && emr) {
        rc = cm_buf_printf(b,
                           ",\n            {\"Key\": \"aws:elasticmapreduce:job-flow-id\", "
                           "\"Value\": \"j-%.13s\"},\n"
                           "            {\"Key\": \"aws:elasticmapreduce:instance-group-role\", "
                           "\"Value\": \"MASTER\"}",
                           in->id + 2);
    }
    return rc ? rc : cm_buf_puts(b, "\n          ]\n        }");
}

int cm_gen_inventory(const struct cm_gen_config *c, const struct cm_gen_world *w, const char *emr,
                     struct cm_buf *b)
{
    int64_t launch_s = c->start_s - 30LL * 86400;
    int64_t sod = ((launch_s % 86400) + 86400) % 86400, y;
    char launch[32];
    unsigned m, d, acct, i;
    int rc;

    cm_civil_from_days((launch_s - sod) / 86400, &y, &m, &d);
    snprintf(launch, sizeof(launch), "%04lld-%02u-%02uT%02u:%02u:%02u+00:00", (long long)y, m, d,
             (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
    rc = cm_buf_puts(b, "{\n  \"Reservations\": [");
    for (acct = 0; acct < w->naccounts && rc == 0; acct++) {
        bool first = true;

        rc = cm_buf_printf(b,
                           "%s\n    {\n      \"ReservationId\": \"r-0%016llx\",\n"
                           "      \"OwnerId\": \"%s\",\n      \"Instances\": [",
                           acct == 0 ? "" : ",",
                           (unsigned long long)(cm_gen_hash4(w->seed, 0x72657376ULL, acct, 0) >> 4),
                           w->accounts[acct].id);
        for (i = 0; i < w->ninstances && rc == 0; i++) {
            const struct cm_gen_instance *in = &w->instances[i];

            if (in->account != acct) {
                continue;
            }
            rc = instance(b, w, in, launch, emr != NULL && listed(emr, in->id), first);
            first = false;
        }
        rc = rc ? rc : cm_buf_puts(b, "\n      ]\n    }");
    }
    return rc ? rc : cm_buf_puts(b, "\n  ]\n}\n");
}
