/*
 * lab/plan.h - a benchmark plan checked on the lab host, before anything
 * is printed, sent or booted: the board would refuse a bad plan only after
 * deploy and boot.
 */
#ifndef SWAPLAB_LAB_PLAN_H
#define SWAPLAB_LAB_PLAN_H

#include "lab/device.h"

/*
 * Reads plan with the benchmark's own parser (bench_parse_args, what
 * `swapbench --dry-run` does first).  0 if swapbench would accept it as a
 * run; -1 with the parser's message, or for options that make no run on
 * a board (--help, --cleanup, --dry-run) or that only swaplab reads
 * (--db, --label, --out).
 */
int lab_plan_check(const struct lab_plan *plan);

#endif
