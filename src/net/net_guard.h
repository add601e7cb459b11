/*
 * The connect-time guard: coalmine's outbound connections that a user or an
 * API caller points somewhere (webhook targets, Kafka brokers, intel feed
 * and list-location downloads with their redirects, S3 endpoints) never
 * reach a link-local or instance-metadata address, whatever a name resolves
 * to when the connection is made (DNS rebinding) and wherever a redirect
 * leads. The check sees the address the socket is about to connect to, so
 * it holds for every address libcurl or librdkafka tries. The instance
 * metadata client (aws_imds.c) is the one caller that must reach
 * 169.254.169.254 and does not install it. Loopback and private addresses
 * are not refused.
 */
#ifndef CM_NET_GUARD_H
#define CM_NET_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/*
 * Whether sa is an address no guarded connection reaches: 169.254.0.0/16,
 * fe80::/10, fd00:ec2::254 (the EC2 metadata service over IPv6), and
 * 169.254.0.0/16 as an IPv4-mapped or NAT64 (64:ff9b::/96) IPv6 address.
 */
bool cm_net_addr_refused(const struct sockaddr *sa);

/* sa's address as text ("169.254.169.254", "fd00:ec2::254") into out; "?" if not IP. */
void cm_net_addr_text(const struct sockaddr *sa, char *out, size_t outlen);

/* What one guarded libcurl handle was refused; refused[0] is '\0' until it was. */
struct cm_net_guard {
    char refused[64]; /* the address text of the last refused connection */
};

/*
 * Installs the guard on a libcurl easy handle (CURL *, as void * so that
 * callers without curl.h can hold one): CURLOPT_OPENSOCKETFUNCTION refuses
 * to open a socket for a refused address (libcurl then tries the next one,
 * and fails with CURLE_COULDNT_CONNECT when none is left) and records it in
 * g, which must outlive the transfers. Returns 0 or CM_EINVAL (libcurl did
 * not take the option).
 */
int cm_net_guard_curl(void *curl, struct cm_net_guard *g);

/*
 * The message for a transfer that failed while g had refused an address:
 * "connection to 169.254.169.254 refused: link-local or instance metadata
 * address (coalmine does not connect there)". Writes it to out and returns
 * true, or returns false when g refused nothing.
 */
bool cm_net_guard_why(const struct cm_net_guard *g, char *out, size_t outlen);

/*
 * For librdkafka's connect_cb (rd_kafka_conf_set_connect_cb): connects fd
 * to addr unless the address is refused, as librdkafka's own does (a
 * connect in progress on its non-blocking socket is 0). Returns 0, or an
 * errno value (EACCES for a refused address; librdkafka reports it as a
 * connect failure).
 */
int cm_net_guard_connect(int fd, const struct sockaddr *addr, int addrlen);

#endif
