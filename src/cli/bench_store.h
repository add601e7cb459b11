/*
 * coalmine bench store: throughput of the findings store (bench_store.c).
 */
#ifndef CM_CLI_BENCH_STORE_H
#define CM_CLI_BENCH_STORE_H

/* Runs `coalmine bench store ...` (argv[0] = "store"); returns the exit status. */
int cm_bench_store(int argc, char **argv);

#endif
