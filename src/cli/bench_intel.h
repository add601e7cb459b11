/*
 * coalmine bench intel: size and speed of the threat-intel sets (bench_intel.c).
 */
#ifndef CM_CLI_BENCH_INTEL_H
#define CM_CLI_BENCH_INTEL_H

/* Runs `coalmine bench intel ...` (argv[0] = "intel"); returns the exit status. */
int cm_bench_intel(int argc, char **argv);

#endif
