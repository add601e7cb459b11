/*
 * coalmine bench memory: the latency and the random-line rate of this
 * machine's memory (bench_memory.c).
 */
#ifndef CM_CLI_BENCH_MEMORY_H
#define CM_CLI_BENCH_MEMORY_H

/* Runs `coalmine bench memory ...` (argv[0] = "memory"); returns the exit status. */
int cm_bench_memory(int argc, char **argv);

#endif
