/*
 * What flow_host.c (the per-instance flow detector: history, unusual
 * ports and resolvers, emission, checkpoints) and flow_host_fan.c (the
 * fan-outs of PortSweep and Spambot) share. Private to the two.
 */
#ifndef CM_DETECT_FLOW_HOST_IMPL_H
#define CM_DETECT_FLOW_HOST_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "detect/flow.h"
#include "detect/state.h"

#define PORT_SLOTS     32   /* remote-port set: open addressing over 32 slots (64 bytes) */
#define PORT_CAP       24   /* ports it holds before it counts as full (load 3/4) */
#define NOVEL_SLOTS    4    /* unusual things reported at once per instance */
#define WATCH_SLOTS    4    /* ports failing lately whose attempts are counted */
#define SERVE_SLOTS    2    /* high local ports watched for serving public peers */
#define SERVE_PEERS    3    /* peers on ports of their own that make a local port served */
#define FAIL_PACKETS   6    /* SYNs a dead host gets in a minute (at 0, 1, 3, 7, 15 and 31 s) */
#define FAIL_AVG_BYTES 80   /* no payload: an IPv6 SYN with options is 80 bytes */
#define MAX_FAN_HOSTS  1024 /* bound of sweep_hosts and spam_hosts */
#define FAN_KEY_LEN    12   /* resource hash (8), purpose (1), protocol (1), port (2) */
#define CONN_KEY_LEN   30   /* resource hash (8), protocol, family, local and remote port, addr */
#define NOVEL_KEY_LEN  11   /* resource hash (8), enum kind (1), port or provider id (2) */
#define FAIL_SPAN_S    60   /* a record's start and end are capture times, up to a minute late */
#define LAST_KEY_MAX   64   /* resources longer than this are looked up every time */
#define TCP            6
#define UDP            17
#define SEV_HIGH       8.0

#define TYPE_SWEEP "Impact:EC2/PortSweep"
#define TYPE_SPAM  "Backdoor:EC2/Spambot"
#define TYPE_PORT  "Behavior:EC2/NetworkPortUnusual"
#define TYPE_DNS   "DefenseEvasion:EC2/UnusualDNSResolver"
#define TYPE_DOH   "DefenseEvasion:EC2/UnusualDoHActivity"
#define TYPE_DOT   "DefenseEvasion:EC2/UnusualDoTActivity"

/* What an unusual-thing episode is about; K_DNS + i is resolver service i. */
enum kind { K_FREE = 0, K_PORT, K_DNS, K_DOH, K_DOT };

enum fan_purpose { FAN_SWEEP = 0, FAN_SPAM };

#define H_SMTP       1u /* mail (TCP/25) is part of the history */
#define H_PORTS_FULL 2u /* the port set overflowed: every port counts as used */
#define H_SPAM       4u /* a Spambot episode started at spam_since_s */

/* One unusual thing being reported (times in Unix seconds). */
struct novel {
    uint32_t since_s;    /* its first detection */
    uint32_t reported_s; /* its latest detection */
    uint32_t first_s;    /* the first connection not yet reported */
    uint32_t pending;    /* connections not yet reported */
    uint16_t what;       /* the port, or the resolver provider id */
    uint8_t kind;        /* enum kind; K_FREE: slot unused */
};

/*
 * A (protocol, port) of an instance that failed lately: its attempts, failed
 * and all, in the current and the previous sweep window (times in Unix
 * seconds), for PortSweep's "most attempts failed".
 */
struct watch {
    uint32_t code;        /* protocol << 16 | port; 0: slot unused */
    uint32_t start_s;     /* start of the current window */
    uint16_t fail, all;   /* attempts in the current window */
    uint16_t pfail, pall; /* ... and in the previous one */
    uint16_t ans, pans;   /* UDP: records of the port's hosts answering, in the two windows */
};

/*
 * A local port of 1024 or more that the instance talks from to public peers on lower
 * ports of their own: the peers seen one after another (a change of both address and
 * port counts one more, saturating). SERVE_PEERS of them make it a port the instance
 * serves (a VPN, a game server), whose records to a peer are replies.
 */
struct serve {
    uint32_t addr;  /* 32 bits of the last peer's address hash */
    uint16_t port;  /* the local port; 0: slot unused */
    uint16_t rport; /* the last peer's port */
    uint32_t peers; /* distinct peers in a row, at most SERVE_PEERS */
};

/* What one instance (or ENI) has done: its history. */
struct host {
    int64_t first_ms;                /* its earliest connection seen: learning started */
    uint32_t resolver[3];            /* providers used, a bit per id: DNS, DoH, DoT */
    struct watch watch[WATCH_SLOTS]; /* ports failing lately, with their attempts */
    uint32_t spam_since_s;           /* first Spambot detection (with H_SPAM) */
    uint16_t port[PORT_SLOTS];       /* remote ports used; 0 empty */
    uint8_t nports, flags;           /* ports in the set; H_* */
    uint8_t next_watch, pad;         /* next_watch: round-robin replacement of watch[] */
    struct novel novel[NOVEL_SLOTS];
    struct serve serve[SERVE_SLOTS]; /* high local ports maybe served to public peers */
};

/* A host of a fan-out: 32 bits of its hash and when it was last seen (Unix seconds). */
struct fan_host {
    uint32_t h;
    uint32_t s;
};

/* Distinct hosts of one (resource, purpose, protocol, port) in the recent window. */
struct fan {
    int64_t first_ms;    /* first attempt not yet reported */
    int64_t reported_ms; /* latest detection; INT64_MIN: none this episode */
    uint32_t pending;    /* attempts not yet reported */
    uint32_t newest_s;   /* newest time seen */
    uint32_t nhosts;
    struct fan_host host[]; /* cap of them */
};

struct flow_host {
    struct cm_state *hosts; /* resource -> struct host */
    struct cm_state *fans;  /* fan key -> struct fan */
    struct cm_state *conns; /* conn key -> nothing: the connections seen lately */
    struct cm_state *kept;  /* fan key -> struct cm_flow_kept: the last attempt of a fan's tail */
    struct cm_state *nkept; /* novel key -> struct cm_flow_kept: an episode's tail's last */
    struct cm_flow_local *local;    /* the engine's own-address learner (NULL: none) */
    const struct cm_inventory *inv; /* the scan's inventory (NULL: none), for cm_flow_view */
    struct cm_resolver_set *resolvers;
    struct cm_flow_host_tuning t; /* with the defaults filled in */
    uint32_t learn_s, report_s, sweep_s, spam_s;
    uint32_t cap; /* hosts a fan entry holds */
    uint64_t seed;
    /*
     * The entry of the previous record's resource: flow logs write an interface's records
     * together, so most records skip the look-up. Valid until the next touch of hosts (which
     * sets it again) or tick (which clears it before expiring anything).
     */
    struct host *last;
    size_t last_len;
    char last_key[LAST_KEY_MAX];
    char info[160]; /* additionalInfo of the detection being emitted */
};

/* Unix seconds of event time ms, clamped to what a uint32 holds. */
static inline uint32_t cm_flow_host_secs(int64_t ms)
{
    return ms <= 0 ? 0 : ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ms / 1000);
}

/* Emits type for request record ev (seen as v) covering count connections since first_ms. */
int cm_flow_host_emit(struct flow_host *fh, const struct cm_event *ev, const struct cm_flow_view *v,
                      const char *type, uint32_t count, int64_t first_ms, double severity,
                      struct cm_sink *sink);
/* PortSweep: a request record of instance h (seen as v) to a public host. */
int cm_flow_host_sweep(struct flow_host *fh, struct host *h, const struct cm_event *ev,
                       const struct cm_flow_view *v, struct cm_sink *sink);
/* PortSweep: a UDP record a public host sent instance h from its port (seen as v): an answer. */
void cm_flow_host_sweep_answer(struct flow_host *fh, struct host *h, const struct cm_flow_view *v,
                               int64_t t);
/* Spambot: a TCP/25 request record of instance h; learned: its history is complete. */
int cm_flow_host_spam(struct flow_host *fh, struct host *h, bool learned, const struct cm_event *ev,
                      const struct cm_flow_view *v, struct cm_sink *sink);

/*
 * Kept records (struct cm_flow_kept, 336 bytes; about 450 with the key and the map's
 * overhead): one per fan that counted attempts since its last PortSweep or Spambot, for the
 * fan's expiry to report them (flow_host_fan.c). 16384: about 7.5 MiB; a full table evicts
 * the least recently kept record, whose tail is then not reported.
 */
#define FLOW_HOST_KEPT_MAX (16u * 1024)

/*
 * Kept records of the unusual-thing episodes (flow_host_novel.c): one per episode that
 * counted connections since its latest report, expiring report_ms after the last of them,
 * which reports them. 16384: about 7.5 MiB; a full table evicts the least recently kept
 * record, whose tail then goes with the episode's next report, if any.
 */
#define FLOW_HOST_NKEPT_MAX (16u * 1024)

struct cm_ckpt_w;
struct cm_ckpt_r;

/*
 * flow_host_novel.c: a thing (kind, what) the learned history of h lacked, seen on request
 * record ev (as v; r: the resolver entry of resolver kinds): reports it and opens its episode
 * (the episode whose slot it takes reports its tail first).
 */
int cm_flow_host_novel_start(struct flow_host *fh, struct host *h, enum kind kind, uint16_t what,
                             const struct cm_event *ev, const struct cm_flow_view *v,
                             const struct cm_resolver *r, struct cm_sink *sink);
/*
 * flow_host_novel.c: a thing already in the history: counted into its episode when it has
 * one, reported at most once per report_ms; a connection not reported is kept as its tail's
 * last.
 */
int cm_flow_host_novel_again(struct flow_host *fh, struct host *h, enum kind kind, uint16_t what,
                             const struct cm_event *ev, const struct cm_flow_view *v,
                             const struct cm_resolver *r, struct cm_sink *sink);
/* flow_host_novel.c: expires the kept records at watermark_ms, reporting the tails to sink. */
int cm_flow_host_expire_novel(struct flow_host *fh, int64_t watermark_ms, struct cm_sink *sink);
/* flow_host_novel.c: saves / loads the episodes' kept records (checked on load). */
int cm_flow_host_nkept_save(const struct flow_host *fh, struct cm_ckpt_w *w);
int cm_flow_host_nkept_load(struct flow_host *fh, struct cm_ckpt_r *r);

/* flow_host_fan.c: expires the fans at watermark_ms, reporting their tails to sink. */
int cm_flow_host_expire_fans(struct flow_host *fh, int64_t watermark_ms, struct cm_sink *sink);

/* flow_host_fan.c: the fans' eviction callback (ud: the struct flow_host): drops the tail. */
void cm_flow_host_fan_evicted(void *ud, const void *key, size_t klen, void *val);

/* flow_host_ckpt.c: the detector's save, load and load_old (versions 6, 7 and 8). */
int cm_flow_host_save(const void *state, struct cm_ckpt_w *w);
int cm_flow_host_load(void *state, struct cm_ckpt_r *r);
int cm_flow_host_load_old(void *state, struct cm_ckpt_r *r, uint32_t version);

/* flow_host_fan.c: saves / loads the kept records (checked on load). */
int cm_flow_host_kept_save(const struct flow_host *fh, struct cm_ckpt_w *w);
int cm_flow_host_kept_load(struct flow_host *fh, struct cm_ckpt_r *r);

#endif
