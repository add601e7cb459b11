/*
 * A scripted HTTP server on 127.0.0.1 for the tests of the AWS client and S3 inputs:
 * one answer per connection (Connection: close), in order, each request's head kept.
 * Header-only helpers (static): included by the tests that use it.
 */
#ifndef CM_TEST_FAKE_HTTP_H
#define CM_TEST_FAKE_HTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_STEPS 16

struct step {
    int status;
    const char *headers; /* extra header lines, each ending in \r\n */
    const char *body;
};

struct server {
    int fd, port;
    pthread_t th;
    _Atomic int stop;
    struct step steps[MAX_STEPS];
    int nsteps, served;
    char req[MAX_STEPS][4096]; /* each request's head as received (read with fake_req) */
    pthread_mutex_t mu;        /* req and served, between the server and the test */
};

/* Request i's head, once it came ("" before). */
static inline const char *fake_req(struct server *s, int i)
{
    const char *r;

    pthread_mutex_lock(&s->mu);
    r = i < s->served && i < MAX_STEPS ? s->req[i] : "";
    pthread_mutex_unlock(&s->mu);
    return r;
}

/* Requests that came so far. */
static inline int fake_served(struct server *s)
{
    int n;

    pthread_mutex_lock(&s->mu);
    n = s->served;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static inline void *serve(void *ud)
{
    struct server *s = ud;

    while (!s->stop) {
        struct pollfd p = {s->fd, POLLIN, 0};
        char buf[8192], out[16384];
        size_t n = 0;
        int c;

        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        c = accept(s->fd, NULL, NULL);
        if (c < 0) {
            continue;
        }
        while (n < sizeof(buf) - 1) {
            ssize_t k = read(c, buf + n, sizeof(buf) - 1 - n);
            if (k <= 0) {
                break;
            }
            n += (size_t)k;
            buf[n] = '\0';
            if (strstr(buf, "\r\n\r\n") != NULL) {
                break;
            }
        }
        buf[n] = '\0';
        /* Kept and counted before the answer: the client may look as soon as it has it. */
        pthread_mutex_lock(&s->mu);
        int k = s->served++;
        if (k < MAX_STEPS) {
            snprintf(s->req[k], sizeof(s->req[0]), "%.4000s", buf);
        }
        pthread_mutex_unlock(&s->mu);
        if (k < s->nsteps) {
            const struct step *st = &s->steps[k];
            int m =
                snprintf(out, sizeof(out),
                         "HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         st->status, st->headers ? st->headers : "", strlen(st->body), st->body);
            (void)!write(c, out, (size_t)m);
        }
        close(c);
    }
    return NULL;
}

static inline void server_start(struct server *s)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->fd, 16), 0);
    getsockname(s->fd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static inline void server_stop(struct server *s)
{
    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->fd);
    pthread_mutex_destroy(&s->mu);
}

/* The environment of a test: nothing of the user's. */
static inline void clean_env(void)
{
    static const char *const vars[] = {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_ENDPOINT_URL_STS",
        "AWS_STS_REGIONAL_ENDPOINTS",
    };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        unsetenv(vars[i]);
    }
    setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

#endif
