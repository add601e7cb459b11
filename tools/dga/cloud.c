/*
 * dga-train: cloud and CDN host names made here, from patterns written by
 * hand (none from the data): the random-looking names an instance asks for
 * every day that must stay quiet. CloudFront distributions, S3 bucket hosts,
 * ELB names (classic, ALB/NLB, Kubernetes' 32-hex ones), ACM validation
 * records under a customer's domain and the acm-validations.aws targets,
 * Akamai edge hosts, Azure CDN/front door/blob/web apps, Google user
 * content and App Engine, EC2 public and internal host names, API Gateway
 * and Lambda URLs.
 */
#include "dga_train.h"

#include <string.h>

static const char hex[] = "0123456789abcdef";
static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";

static const char *const words[] = {
    "app",   "api",    "assets", "backup", "billing", "cdn",   "data",  "dev",     "logs",
    "media", "prod",   "shop",   "static", "staging", "store", "test",  "uploads", "web",
    "acme",  "orders", "images", "report", "events",  "cache", "build", "deploy",
};

static const char *const regions[] = {
    "us-east-1",    "us-east-2",      "us-west-2",      "eu-west-1",
    "eu-central-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1",
};

#define PICK(a, r) (a[rng_next(r) % (sizeof(a) / sizeof(a[0]))])

static void rnd(char *p, size_t n, const char *set, uint64_t *r)
{
    size_t k = strlen(set);

    for (size_t i = 0; i < n; i++) {
        p[i] = set[rng_next(r) % k];
    }
    p[n] = '\0';
}

void cloud_names(char (*out)[256], size_t n, uint64_t seed)
{
    uint64_t r = seed;

    for (size_t i = 0; i < n; i++) {
        char a[64], b[64];
        unsigned k = (unsigned)(rng_next(&r) % 16), ip = (unsigned)rng_next(&r);
        const char *reg = PICK(regions, &r), *w1 = PICK(words, &r), *w2 = PICK(words, &r);

        switch (k) {
        case 0: /* CloudFront */
            rnd(a, 13, alnum, &r);
            snprintf(out[i], 256, "d%s.cloudfront.net", a);
            break;
        case 1: /* S3 virtual-hosted bucket, global endpoint */
            rnd(a, 8, alnum, &r);
            snprintf(out[i], 256, "%s-%s-%s.s3.amazonaws.com", w1, w2, a);
            break;
        case 2: /* S3 regional endpoint, account-named bucket */
            rnd(a, 12, "0123456789", &r);
            snprintf(out[i], 256, "cf-templates-%s-%s.s3.%s.amazonaws.com", a, reg, reg);
            break;
        case 3: /* ALB/NLB */
            rnd(a, 10, "0123456789", &r);
            snprintf(out[i], 256, "%s-%s-lb-%s.%s.elb.amazonaws.com", w1, w2, a, reg);
            break;
        case 4: /* Kubernetes service load balancer: 32 hex, then an id */
            rnd(a, 32, hex, &r);
            rnd(b, 10, "0123456789", &r);
            snprintf(out[i], 256, "%s-%s.%s.elb.amazonaws.com", a, b, reg);
            break;
        case 5: /* ACM DNS validation record under a customer's own domain */
            rnd(a, 32, hex, &r);
            snprintf(out[i], 256, "_%s.%s.example.com", a, w1);
            break;
        case 6: /* ... and its CNAME target */
            rnd(a, 32, hex, &r);
            rnd(b, 10, alnum, &r);
            snprintf(out[i], 256, "_%s.%s.acm-validations.aws", a, b);
            break;
        case 7: /* Akamai edge */
            snprintf(out[i], 256, "e%u.%s.akamaiedge.net", ip % 100000, (ip & 1) ? "a" : "dscb");
            break;
        case 8: /* Azure CDN / Front Door */
            rnd(a, 16, alnum, &r);
            snprintf(out[i], 256, "%s-%s.%s", w1, a,
                     (ip & 1) ? "azureedge.net" : "z01.azurefd.net");
            break;
        case 9: /* Azure blob storage and web apps */
            rnd(a, 12, alnum, &r);
            snprintf(out[i], 256, "%s%s.%s", w1, a,
                     (ip & 1) ? "blob.core.windows.net" : "azurewebsites.net");
            break;
        case 10: /* Google user content (OAuth client ids) */
            rnd(a, 12, "0123456789", &r);
            rnd(b, 32, alnum, &r);
            snprintf(out[i], 256, "%s-%s.apps.googleusercontent.com", a, b);
            break;
        case 11: /* App Engine / Firebase */
            rnd(a, 6, alnum, &r);
            snprintf(out[i], 256, "%s-%s-%s.%s", w1, w2, a, (ip & 1) ? "appspot.com" : "web.app");
            break;
        case 12: /* EC2 public host name */
            snprintf(out[i], 256, "ec2-%u-%u-%u-%u.%s.compute.amazonaws.com", 3 + ip % 50,
                     (ip >> 8) & 255, (ip >> 16) & 255, ip >> 24, reg);
            break;
        case 13: /* EC2 internal host name */
            snprintf(out[i], 256, "ip-10-%u-%u-%u.ec2.internal", (ip >> 8) & 255, (ip >> 16) & 255,
                     ip >> 24);
            break;
        case 14: /* API Gateway */
            rnd(a, 10, alnum, &r);
            snprintf(out[i], 256, "%s.execute-api.%s.amazonaws.com", a, reg);
            break;
        default: /* Lambda function URL */
            rnd(a, 32, alnum, &r);
            snprintf(out[i], 256, "%s.lambda-url.%s.on.aws", a, reg);
            break;
        }
    }
}
