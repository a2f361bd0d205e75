/*
 * bench/state.h - the journal of every system change the benchmark makes,
 * so that all of it is undone: on normal exit, on error, on a signal, and
 * after SIGKILL by the next run or `--cleanup`.
 *
 * Write-ahead rule: a change is recorded (and the journal file is on
 * disk) before the change is made.  Where the kernel hands out the name
 * (zram hot_add), the intent is recorded first with the devices that
 * exist before, and the name right after; a run killed in between leaves
 * "zram_pending", and restoring removes the unconfigured zram devices
 * that were not there before.  The journal
 * lives in $SWAPLAB_STATE_DIR (default /run/swaplab, else /tmp/swaplab):
 * state on tmpfs dies with a reboot, exactly like the changes it records.
 * A lock file next to it keeps two benchmarks from running at once.
 */
#ifndef SWAPLAB_BENCH_STATE_H
#define SWAPLAB_BENCH_STATE_H

#define STATE_MAX_PARAMS 32
#define STATE_MAX_SWAPS 4

struct bench_state {
	int zram_id;                 /* hot_added by us, -1 if none */
	int zram_pending;            /* a hot_add was under way: its id may be unrecorded */
	char zram_before[256];       /* the zram ids that existed before it, "1,3" or "" */
	char swap_file[256];         /* created by us */
	char loop_dev[64];           /* attached by us (autoclear) */
	char swapon[STATE_MAX_SWAPS][256];
	int nr_swapon;
	struct {
		char path[160];
		char value[96];      /* original value, bracketed word resolved */
	} params[STATE_MAX_PARAMS];
	int nr_params;
	char debugfs[128];           /* mounted by us */
	char cpuacct[200];           /* cgroup v1 cpuacct mounted (and its dir made) by us */
	char cgroup[256];            /* created by us */
};

void state_init(struct bench_state *st);
/* Takes the lock; restores a journal a dead run left behind. */
int state_lock(void);
void state_unlock(void);
/* In a forked child: drop the inherited lock descriptor (not the lock). */
void state_lock_close_in_child(void);
/* The journal's directory ($SWAPLAB_STATE_DIR, /run/swaplab or /tmp/swaplab). */
const char *state_dir_path(void);
/* Writes the journal (atomically); -1 with a message on failure. */
int state_save(const struct bench_state *st);
/* Loads the journal of a dead run: 1 found, 0 none, -1 unreadable. */
int state_load(struct bench_state *st);

/*
 * Records path's current value (once: the first original wins) and then
 * writes value to it.  The journal is saved in between.
 */
int state_set_param(struct bench_state *st, const char *path, const char *value);
int state_add_swapon(struct bench_state *st, const char *path);
/*
 * zram hot_add under the write-ahead rule: journals the intent and the
 * devices that exist, adds one, journals its id.  Returns the id, or -1.
 * SWAPBENCH_FAULT=zram-hot-add kills the process with SIGKILL between the
 * hot_add and the journal write (the fault tests' way into that window).
 */
int state_zram_hot_add(struct bench_state *st);

/*
 * Undoes everything in st, in reverse order of dependency: swapoff, loop,
 * swap file, zram device, cgroup, parameters, debugfs; then removes the
 * journal.  Keeps going after a failure and returns -1 if anything could
 * not be restored (each failure printed).
 */
int state_restore(struct bench_state *st);

#endif
