/*
 * The API's HTTP server (api_http.h) on libmicrohttpd 0.9.7x: one internal
 * polling thread, the raw request URI taken from the URI log callback (the
 * access handler's url is already unescaped and has lost the query string),
 * the body gathered in a capped buffer, the answer built whole and queued at
 * the access handler's last call.
 */
#include "api/api_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api_local.h"
#include "api/api_metrics.h"
#include "api/api_query.h"
#include "api/web_serve.h"
#include "base/err.h"
#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

#define MAX_HEADERS  128
#define SERVICE      "guardduty" /* the SigV4 scope's service of a restJson1 request */
#define SERVICE_JSON "events"    /* of an awsJson1_1 one (X-Amz-Target: AWSEvents.<Op>) */

struct cm_api_http {
    struct MHD_Daemon *d;
    struct cm_api_http_opts o;
    struct cm_api_counts counts; /* the server thread's */
    atomic_int in_flight;        /* requests begun and not finished (read by stop) */
    unsigned port;
    uint64_t rid_state; /* the server thread's */
};

/* One request in progress: the connection's *con_cls. */
struct conn_req {
    char *uri;
    struct cm_buf body;
    bool started, too_big;
    int64_t start_ms;
};

int cm_api_listen_parse(const char *listen, void *ss, bool *loopback, char *why, size_t whylen)
{
    char host[64];
    const char *colon, *hs, *he;
    unsigned long port;
    char *end;

    memset(ss, 0, sizeof(struct sockaddr_storage));
    if (listen == NULL || *listen == '\0') {
        snprintf(why, whylen, "empty address");
        return -1;
    }
    if (listen[0] == '[') {
        hs = listen + 1;
        he = strchr(listen, ']');
        if (he == NULL || he[1] != ':') {
            snprintf(why, whylen, "'%s': an IPv6 address is written [ADDR]:PORT", listen);
            return -1;
        }
        colon = he + 1;
    } else {
        hs = listen;
        colon = strrchr(listen, ':');
        if (colon == NULL) {
            snprintf(why, whylen, "'%s': wants ADDR:PORT (e.g. 127.0.0.1:8787)", listen);
            return -1;
        }
        he = colon;
    }
    if ((size_t)(he - hs) >= sizeof(host) || he == hs) {
        snprintf(why, whylen, "'%s': no address before the port", listen);
        return -1;
    }
    memcpy(host, hs, (size_t)(he - hs));
    host[he - hs] = '\0';
    errno = 0;
    port = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535 || colon[1] == '-' ||
        colon[1] == '+') {
        snprintf(why, whylen, "'%s': the port is a number from 0 to 65535", listen);
        return -1;
    }
    if (listen[0] == '[') {
        struct sockaddr_in6 *a = ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
            snprintf(why, whylen, "'%s': '%s' is not an IPv6 address", listen, host);
            return -1;
        }
        *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
    } else {
        struct sockaddr_in *a = ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
            snprintf(why, whylen, "'%s': '%s' is not an IPv4 address (or use [IPv6]:PORT)", listen,
                     host);
            return -1;
        }
        *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    return 0;
}

/* A fresh request id, UUID-shaped (random, from a seeded splitmix64). */
static void request_id(struct cm_api_http *h, char out[37])
{
    uint64_t v[2];

    for (int i = 0; i < 2; i++) {
        uint64_t z = (h->rid_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        v[i] = z ^ (z >> 31);
    }
    v[0] = (v[0] & ~0xf000ULL) | 0x4000ULL;
    v[1] = (v[1] & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(v[0] >> 32),
             (unsigned)((v[0] >> 16) & 0xffff), (unsigned)(v[0] & 0xffff), (unsigned)(v[1] >> 48),
             (unsigned long long)(v[1] & 0xffffffffffffULL));
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct conn_req *r = calloc(1, sizeof(*r));
    (void)cls;
    (void)c;
    if (r == NULL) {
        return NULL;
    }
    r->uri = strdup(uri ? uri : "/");
    if (r->uri == NULL) {
        free(r);
        return NULL;
    }
    cm_buf_init(&r->body, CM_API_MAX_BODY);
    return r;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode code)
{
    struct cm_api_http *h = cls;
    struct conn_req *r = *con_cls;
    (void)c;
    (void)code;
    if (r == NULL) {
        return;
    }
    if (r->started) {
        atomic_fetch_sub(&h->in_flight, 1);
    }
    free(r->uri);
    cm_buf_finish(&r->body);
    free(r);
    *con_cls = NULL;
}

struct headers {
    struct cm_sigv4_header v[MAX_HEADERS];
    size_t n;
    bool overflow;
};

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    struct headers *hs = cls;
    (void)kind;
    if (hs->n == MAX_HEADERS) {
        hs->overflow = true;
        return MHD_NO;
    }
    hs->v[hs->n++] = (struct cm_sigv4_header){key, value ? value : ""};
    return MHD_YES;
}

static int queue(struct MHD_Connection *c, int status, const char *ctype, const char *error_type,
                 const char *rid, const char *body, size_t len)
{
    struct MHD_Response *resp;
    enum MHD_Result ok;

    if (status == 204) {
        len = 0;
    }
    resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)(body ? body : ""),
                                           MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) {
        return MHD_NO;
    }
    if (status != 204) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    }
    if (error_type) {
        MHD_add_response_header(resp, "X-Amzn-ErrorType", error_type);
    }
    MHD_add_response_header(resp, "x-amzn-RequestId", rid);
    ok = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* An error of the server's own (not a handler's), in the restJson1 shape. */
static int queue_error(struct MHD_Connection *c, int status, const char *type, const char *msg,
                       const char *rid)
{
    struct cm_api_resp resp = {0};
    int ok;

    cm_buf_init(&resp.body, 0);
    cm_api_error(&resp, status, type, NULL, msg);
    ok = queue(c, status, "application/json", type, rid, resp.body.p, resp.body.len);
    cm_buf_finish(&resp.body);
    return ok;
}

/* Appends s with its control bytes (and DEL) as \xHH: a client's bytes must not move the
 * terminal's cursor or start a line of their own in the log. */
static void put_loggable(struct cm_buf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            (void)cm_buf_printf(b, "\\x%02x", c);
        } else {
            (void)cm_buf_putc(b, (char)c);
        }
    }
}

static void log_request(const struct cm_api_http *h, const char *method, const struct conn_req *r,
                        const char *op, int status, const char *rid)
{
    struct cm_buf m, u;

    if (!h->o.log_requests) {
        return;
    }
    cm_buf_init(&m, 0);
    cm_buf_init(&u, 0);
    put_loggable(&m, method);
    put_loggable(&u, r->uri);
    log_info("%s %s %d %s %lldms %s", m.p ? m.p : "", u.p ? u.p : "", status, op ? op : "-",
             (long long)(cm_clock_now_ms() - r->start_ms), rid);
    cm_buf_finish(&m);
    cm_buf_finish(&u);
}

/* GET /healthz and GET /metrics. Returns 1 when the path was one of them. */
static int answer_plain(struct cm_api_http *h, struct MHD_Connection *c, const char *method,
                        const char *path, const char *rid, int *status, const char **op,
                        enum MHD_Result *ok)
{
    struct cm_buf out;
    const char *ctype = "text/plain; charset=utf-8";

    if (strcmp(path, "/healthz") == 0) {
        *op = "healthz";
    } else if (strcmp(path, "/metrics") == 0) {
        *op = "metrics";
    } else {
        return 0;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        *status = 405;
        *ok = queue_error(c, 405, "BadRequestException", "only GET on this path", rid);
        return 1;
    }
    cm_buf_init(&out, CM_API_MAX_RESP);
    if (strcmp(*op, "healthz") == 0) {
        bool up = h->o.ctx->store != NULL && cm_store_schema_version(h->o.ctx->store) > 0;
        *status = up ? 200 : 503;
        (void)cm_buf_puts(&out, up ? "ok\n" : "store unreachable\n");
    } else {
        ctype = "text/plain; version=0.0.4; charset=utf-8";
        *status =
            cm_api_metrics_write(&out, h->o.ctx->store, &h->counts) == 0 &&
                    (h->o.metrics_more == NULL || h->o.metrics_more(h->o.metrics_ud, &out) == 0)
                ? 200
                : 500;
    }
    *ok = queue(c, *status, ctype, NULL, rid, out.p, out.len);
    cm_buf_finish(&out);
    return 1;
}

/* The web console: /, /console and /console/... (web_serve.h), its files static in
 * the binary. Returns 1 when the path was the console's. */
static int answer_console(struct MHD_Connection *c, const char *method, const char *path,
                          const char *rid, int *status, const char **op, enum MHD_Result *ok)
{
    struct cm_web_resp w;
    struct MHD_Response *resp;
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");

    if (!cm_web_serve(method, path, inm, &w)) {
        return 0;
    }
    *op = "console";
    *status = w.status;
    resp = MHD_create_response_from_buffer(
        w.len, (void *)(uintptr_t)(w.body != NULL ? w.body : (const unsigned char *)""),
        MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        *ok = MHD_NO;
        return 1;
    }
    if (w.status != 304 && w.content_type != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, w.content_type);
    }
    for (size_t i = 0; i < w.nheaders; i++) {
        MHD_add_response_header(resp, w.headers[i].name, w.headers[i].value);
    }
    MHD_add_response_header(resp, "x-amzn-RequestId", rid);
    *ok = MHD_queue_response(c, (unsigned)w.status, resp);
    MHD_destroy_response(resp);
    return 1;
}

static enum MHD_Result answer(struct cm_api_http *h, struct MHD_Connection *c, const char *method,
                              struct conn_req *r)
{
    char rid[37], *q, msg[512];
    const char *op = NULL, *target;
    int status = 500;
    enum MHD_Result ok;
    struct headers hs = {.n = 0};
    struct cm_api_req req = {0};
    struct cm_api_resp resp = {0};
    struct cm_sigv4_auth auth;
    struct cm_sigv4_msg m;

    request_id(h, rid);
    q = strchr(r->uri, '?');
    if (q != NULL) {
        *q++ = '\0';
    }
    if (r->too_big) {
        status = 413;
        ok = queue_error(c, 413, "BadRequestException",
                         "the request body is larger than 1048576 bytes", rid);
        goto out;
    }
    if (h->o.ncreds == 0 &&
        !cm_api_local_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
                         MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"), msg,
                         sizeof(msg))) {
        status = 403;
        ok = queue_error(c, 403, "AccessDeniedException", msg, rid);
        goto out;
    }
    if (answer_plain(h, c, method, r->uri, rid, &status, &op, &ok)) {
        goto out;
    }
    if (answer_console(c, method, r->uri, rid, &status, &op, &ok)) {
        goto out;
    }
    target = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
    op = target != NULL ? cm_api_json_op_name(target) : cm_api_op_name(method, r->uri);
    MHD_get_connection_values(c, MHD_HEADER_KIND, on_header, &hs);
    if (hs.overflow) {
        status = 400;
        ok = queue_error(c, 400, "BadRequestException", "too many request headers", rid);
        goto out;
    }
    m = (struct cm_sigv4_msg){method, r->uri, q, hs.v, hs.n, r->body.p, r->body.len};
    if (h->o.ncreds > 0) {
        enum cm_sigv4_status s =
            cm_sigv4_verify(&m, h->o.creds, h->o.ncreds, target != NULL ? SERVICE_JSON : SERVICE,
                            cm_clock_now_ms(), &auth, msg, sizeof(msg));
        if (s != CM_SIGV4_OK) {
            status = cm_sigv4_http_status(s);
            ok = queue_error(c, status, cm_sigv4_error_type(s), msg, rid);
            goto out;
        }
        req.access_key = auth.key;
        req.region = auth.region;
    } else {
        const char *authz = cm_sigv4_header(&m, "authorization");
        if (authz != NULL && cm_sigv4_parse(authz, &auth, msg, sizeof(msg)) == 0) {
            req.access_key = auth.key;
            req.region = auth.region;
        }
    }
    if (cm_api_query_parse(&req, q, msg, sizeof(msg)) != 0) {
        status = 400;
        ok = queue_error(c, 400, "BadRequestException", msg, rid);
        goto out;
    }
    req.method = method;
    req.path = r->uri;
    req.target = target;
    req.body = r->body.len ? r->body.p : NULL;
    req.body_len = r->body.len;
    req.now_ms = cm_clock_now_ms();
    cm_buf_init(&resp.body, CM_API_MAX_RESP);
    if (cm_api_handle(h->o.ctx, &req, &resp) != 0) {
        status = 500;
        ok = queue_error(c, 500, "InternalServerErrorException", "out of memory", rid);
    } else {
        status = resp.status;
        ok = queue(c, status, resp.content_type ? resp.content_type : "application/json",
                   resp.error_type, rid, resp.body.p, resp.body.len);
    }
    cm_buf_finish(&resp.body);
    cm_api_query_free(&req);
out:
    cm_api_count(&h->counts, op ? op : "unknown", status);
    log_request(h, method, r, op, status, rid);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct cm_api_http *h = cls;
    struct conn_req *r = *con_cls;
    (void)url;
    (void)version;

    if (r == NULL) {
        return MHD_NO; /* no memory for it: the connection is closed */
    }
    if (!r->started) {
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        r->started = true;
        r->start_ms = cm_clock_now_ms();
        atomic_fetch_add(&h->in_flight, 1);
        h->counts.in_flight = atomic_load(&h->in_flight);
        if (cl != NULL && strtoull(cl, NULL, 10) > CM_API_MAX_BODY) {
            /* Answer before reading the body; MHD closes the connection after. */
            r->too_big = true;
            return answer(h, c, method, r);
        }
        return MHD_YES;
    }
    if (*upload_size != 0) {
        if (!r->too_big && cm_buf_append(&r->body, upload, *upload_size) != 0) {
            r->too_big = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    h->counts.in_flight = atomic_load(&h->in_flight);
    return answer(h, c, method, r);
}

static uint64_t seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
    }
    return s;
}

int cm_api_http_start(struct cm_api_http **out, const struct cm_api_http_opts *o, char *err,
                      size_t errlen)
{
    struct sockaddr_storage ss;
    struct cm_api_http *h;
    bool loopback = false;
    char why[256];
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC;

    *out = NULL;
    if (cm_api_listen_parse(o->listen ? o->listen : CM_API_DEFAULT_LISTEN, &ss, &loopback, why,
                            sizeof(why)) != 0) {
        snprintf(err, errlen, "--listen %s", why);
        return CM_EINVAL;
    }
    if (!loopback && o->ncreds == 0) {
        snprintf(err, errlen,
                 "refusing to listen on %s without credentials: any client could read the "
                 "findings; configure api.credentials or --credentials, or listen on "
                 "127.0.0.1",
                 o->listen);
        return CM_EINVAL;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return CM_ENOMEM;
    }
    h->o = *o;
    h->rid_state = seed();
    h->counts.started_ms = cm_clock_now_ms();
    atomic_init(&h->in_flight, 0);
    if (ss.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    h->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->conn_limit ? o->conn_limit : 64),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout_s ? o->timeout_s : 30),
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
        MHD_OPTION_END);
    if (h->d == NULL) {
        snprintf(err, errlen, "cannot listen on %s (in use, or not an address of this host)",
                 o->listen);
        free(h);
        return CM_EIO;
    }
    info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    *out = h;
    return 0;
}

unsigned cm_api_http_port(const struct cm_api_http *h)
{
    return h->port;
}

void cm_api_http_stop(struct cm_api_http *h, int64_t grace_ms)
{
    MHD_socket fd;
    int64_t until;

    if (h == NULL) {
        return;
    }
    fd = MHD_quiesce_daemon(h->d);
    until = cm_clock_now_ms() + grace_ms;
    while (atomic_load(&h->in_flight) > 0 && cm_clock_now_ms() < until) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(h->d);
    if (fd != MHD_INVALID_SOCKET) {
        close(fd);
    }
    free(h);
}
