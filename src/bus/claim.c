/*
 * Claim tokens and whether their run is gone (claim.h).
 */
#include "bus/claim.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/*
 * A process that started this long after the claim's time is taken for
 * another one; closer than that, the claim is taken for its (clocks step,
 * and a process's start time is known to a clock tick).
 */
#define START_MARGIN_MS 50

void cm_bus_claim_token(char *buf, size_t n)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(buf, n, "%ld.%lld.%09ld.%lx", (long)getpid(), (long long)ts.tv_sec, ts.tv_nsec,
             (unsigned long)(uintptr_t)&ts);
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "PID.SEC.NSEC.": the pid and the claim's wall clock in ms; false when not so. */
static bool parse(const char *token, pid_t *pid, int64_t *at_ms)
{
    char *end;
    long p;
    long long sec, nsec;

    errno = 0;
    if (!digit(token[0])) { /* strtol would take blanks and a sign */
        return false;
    }
    p = strtol(token, &end, 10);
    if (errno != 0 || *end != '.' || p <= 0 || !digit(end[1])) {
        return false;
    }
    sec = strtoll(end + 1, &end, 10);
    if (errno != 0 || *end != '.' || sec <= 0 || sec > INT64_MAX / 1000 - 1 || !digit(end[1])) {
        return false;
    }
    nsec = strtoll(end + 1, &end, 10);
    if (errno != 0 || *end != '.' || nsec < 0 || nsec > 999999999) {
        return false;
    }
    *pid = (pid_t)p;
    *at_ms = (int64_t)sec * 1000 + (int64_t)(nsec / 1000000);
    return true;
}

/* The wall clock in ms when process pid started, from /proc; -1 when unknown. */
static int64_t started_ms(pid_t pid)
{
    char path[64], line[1024];
    const char *p;
    FILE *f;
    unsigned long long ticks = 0;
    long hz = sysconf(_SC_CLK_TCK);
    struct timespec real, boot;
    int field;

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    if (hz <= 0 || (f = fopen(path, "re")) == NULL) {
        return -1;
    }
    p = fgets(line, sizeof(line), f);
    fclose(f);
    /* pid (comm) state ppid ...: the comm may hold spaces and ')': from the last ')'. */
    if (p == NULL || (p = strrchr(line, ')')) == NULL) {
        return -1;
    }
    /* Field 22 (starttime) is the 20th after the ')'. */
    for (field = 2; field < 22 && p != NULL; field++) {
        p = strchr(p + 1, ' ');
    }
    if (p == NULL || sscanf(p + 1, "%llu", &ticks) != 1 ||
        clock_gettime(CLOCK_REALTIME, &real) != 0 || clock_gettime(CLOCK_BOOTTIME, &boot) != 0) {
        return -1;
    }
    int64_t real_ms = (int64_t)real.tv_sec * 1000 + real.tv_nsec / 1000000;
    int64_t boot_ms = (int64_t)boot.tv_sec * 1000 + boot.tv_nsec / 1000000;
    int64_t start_boot_ms = (int64_t)(ticks * 1000ULL / (unsigned long long)hz);

    return real_ms - (boot_ms - start_boot_ms);
}

bool cm_bus_claim_gone(const char *token)
{
    pid_t pid;
    int64_t at_ms, start;

    if (token == NULL || !parse(token, &pid, &at_ms)) {
        return false;
    }
    if (kill(pid, 0) != 0 && errno == ESRCH) {
        return true;
    }
    start = started_ms(pid);
    return start >= 0 && start - START_MARGIN_MS > at_ms;
}
