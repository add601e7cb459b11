/*
 * The connect-time guard (net_guard.h).
 */
#include "net/net_guard.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/err.h"

bool cm_net_addr_refused(const struct sockaddr *sa)
{
    static const unsigned char ec2_v6[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0,    0,
                                             0,    0, 0,    0,    0, 0, 0x02, 0x54};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    if (sa == NULL) {
        return false;
    }
    if (sa->sa_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
        return (a >> 16) == 0xa9fe; /* 169.254.0.0/16 */
    }
    if (sa->sa_family == AF_INET6) {
        const unsigned char *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
            return true; /* fe80::/10 */
        }
        if (memcmp(b, ec2_v6, 16) == 0) {
            return true;
        }
        return (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) && b[12] == 169 &&
               b[13] == 254;
    }
    return false;
}

void cm_net_addr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
    const void *in = NULL;

    if (sa != NULL && sa->sa_family == AF_INET) {
        in = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        in = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    }
    if (outlen == 0) {
        return;
    }
    if (in == NULL || inet_ntop(sa->sa_family, in, out, (socklen_t)outlen) == NULL) {
        snprintf(out, outlen, "?");
    }
}

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct cm_net_guard *g = ud;

    (void)purpose;
    if (cm_net_addr_refused(&a->addr)) {
        cm_net_addr_text(&a->addr, g->refused, sizeof(g->refused));
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

int cm_net_guard_curl(void *curl, struct cm_net_guard *g)
{
    g->refused[0] = '\0';
    if (curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, g) != CURLE_OK) {
        return CM_EINVAL;
    }
    return 0;
}

bool cm_net_guard_why(const struct cm_net_guard *g, char *out, size_t outlen)
{
    if (g->refused[0] == '\0') {
        return false;
    }
    snprintf(out, outlen,
             "connection to %s refused: a link-local or instance metadata address (coalmine does "
             "not connect there)",
             g->refused);
    return true;
}

int cm_net_guard_connect(int fd, const struct sockaddr *addr, int addrlen)
{
    if (cm_net_addr_refused(addr)) {
        return EACCES;
    }
    /* librdkafka's sockets do not block: a connect in progress is a success here. */
    if (connect(fd, addr, (socklen_t)addrlen) != 0 && errno != EINPROGRESS) {
        return errno;
    }
    return 0;
}
