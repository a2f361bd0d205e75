/*
 * bench/state.c - journal and restoration of the benchmark's system
 * changes (see state.h).  The same restore path serves a normal exit and
 * a `--cleanup` after SIGKILL, so the crash path is the tested path.
 */
#include "bench/state.h"
#include "bench/swapdev.h"
#include "bench/sysfs.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int lock_fd = -1;
static char state_dir[200];

static const char *dir(void)
{
	const char *env = getenv("SWAPLAB_STATE_DIR");
	struct stat sb;

	if (state_dir[0])
		return state_dir;
	if (env && *env)
		snprintf(state_dir, sizeof(state_dir), "%s", env);
	else if (!stat("/run", &sb) && S_ISDIR(sb.st_mode))
		snprintf(state_dir, sizeof(state_dir), "/run/swaplab");
	else
		snprintf(state_dir, sizeof(state_dir), "/tmp/swaplab");
	return state_dir;
}

const char *state_dir_path(void)
{
	return dir();
}

static char *journal_path(void)
{
	return xstrfmt("%s/state", dir());
}

void state_init(struct bench_state *st)
{
	memset(st, 0, sizeof(*st));
	st->zram_id = -1;
}

/*
 * A bench killed between writing "state.tmp.<pid>" and renaming it over
 * "state" leaves the temporary file behind.  Its change had not been made
 * yet (the journal is written before the change), so the old journal is
 * the truth and the file is only litter.  We hold the lock: no live bench
 * is writing one.
 */
static int remove_stale_journals(void)
{
	DIR *d = opendir(dir());
	struct dirent *e;
	int ret = 0;

	if (!d)
		return error_errno("cannot list state directory '%s'", dir());
	while ((e = readdir(d))) {
		char *path;

		if (strncmp(e->d_name, "state.tmp.", 10))
			continue;
		path = xstrfmt("%s/%s", dir(), e->d_name);
		if (unlink(path) < 0 && errno != ENOENT)
			ret = error_errno("cannot remove '%s'", path);
		free(path);
	}
	closedir(d);
	return ret;
}

int state_lock(void)
{
	char *path;

	if (mkdir(dir(), 0700) < 0 && errno != EEXIST)
		return error_errno("cannot create state directory '%s'", dir());
	path = xstrfmt("%s/lock", dir());
	lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0) {
		error_errno("cannot open lock file '%s'", path);
		free(path);
		return -1;
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "?";

		if (read_file_trim(path, pid, sizeof(pid)) < 0 || !pid[0])
			strcpy(pid, "?");
		error("another benchmark (pid %s) holds '%s': benchmarks change "
		      "system-wide swap state and cannot run at the same time", pid, path);
		close(lock_fd);
		lock_fd = -1;
		free(path);
		return -1;
	}
	if (ftruncate(lock_fd, 0) == 0)
		dprintf(lock_fd, "%d\n", (int)getpid());
	free(path);
	if (remove_stale_journals() < 0) {
		state_unlock();
		return -1;
	}
	return 0;
}

void state_lock_close_in_child(void)
{
	/*
	 * A forked process shares the lock's open file description; closing
	 * its copy keeps the lock with the parent alone, so a killed parent's
	 * stragglers cannot keep --cleanup out.
	 */
	if (lock_fd >= 0) {
		close(lock_fd);
		lock_fd = -1;
	}
}

void state_unlock(void)
{
	if (lock_fd >= 0) {
		/* A stale pid left in the lock file would only be cosmetic. */
		int unused = ftruncate(lock_fd, 0);

		(void)unused;
		close(lock_fd);
		lock_fd = -1;
	}
}

int state_save(const struct bench_state *st)
{
	char buf[16384];
	size_t off = 0;
	int i;
	char *path;
	int ret;

#define PUT(...) off += (size_t)snprintf(buf + off, sizeof(buf) - off, __VA_ARGS__)
	PUT("pid %d\n", (int)getpid());
	if (st->zram_id >= 0)
		PUT("zram %d\n", st->zram_id);
	if (st->zram_pending)
		PUT("zram_pending %s\n", st->zram_before[0] ? st->zram_before : "-");
	if (st->swap_file[0])
		PUT("swap_file %s\n", st->swap_file);
	if (st->loop_dev[0])
		PUT("loop %s\n", st->loop_dev);
	for (i = 0; i < st->nr_swapon; i++)
		PUT("swapon %s\n", st->swapon[i]);
	for (i = 0; i < st->nr_params; i++)
		PUT("param %s %s\n", st->params[i].path, st->params[i].value);
	if (st->debugfs[0])
		PUT("debugfs %s\n", st->debugfs);
	if (st->cpuacct[0])
		PUT("cpuacct %s\n", st->cpuacct);
	if (st->cgroup[0])
		PUT("cgroup %s\n", st->cgroup);
#undef PUT
	if (off >= sizeof(buf))
		return error("state journal too large");
	path = journal_path();
	ret = write_file_atomic(path, buf, off);
	free(path);
	return ret;
}

int state_load(struct bench_state *st)
{
	char *path = journal_path(), *text, *line, *save = NULL;
	int lineno = 0;

	state_init(st);
	text = slurp_file(path, NULL);
	if (!text) {
		int e = errno;

		free(path);
		if (e == ENOENT)
			return 0;
		errno = e;
		return error_errno("cannot read state journal");
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, ' ');

		lineno++;
		if (!val)
			goto bad;
		*val++ = '\0';
		if (!strcmp(line, "pid")) {
			continue;
		} else if (!strcmp(line, "zram")) {
			st->zram_id = atoi(val);
		} else if (!strcmp(line, "zram_pending")) {
			st->zram_pending = 1;
			snprintf(st->zram_before, sizeof(st->zram_before), "%s", strcmp(val, "-") ? val : "");
		} else if (!strcmp(line, "swap_file")) {
			snprintf(st->swap_file, sizeof(st->swap_file), "%s", val);
		} else if (!strcmp(line, "loop")) {
			snprintf(st->loop_dev, sizeof(st->loop_dev), "%s", val);
		} else if (!strcmp(line, "swapon") && st->nr_swapon < STATE_MAX_SWAPS) {
			snprintf(st->swapon[st->nr_swapon++], sizeof(st->swapon[0]), "%s", val);
		} else if (!strcmp(line, "param") && st->nr_params < STATE_MAX_PARAMS) {
			char *v = strchr(val, ' ');

			if (!v)
				goto bad;
			*v++ = '\0';
			snprintf(st->params[st->nr_params].path, sizeof(st->params[0].path), "%s", val);
			snprintf(st->params[st->nr_params].value, sizeof(st->params[0].value), "%s", v);
			st->nr_params++;
		} else if (!strcmp(line, "debugfs")) {
			snprintf(st->debugfs, sizeof(st->debugfs), "%s", val);
		} else if (!strcmp(line, "cpuacct")) {
			snprintf(st->cpuacct, sizeof(st->cpuacct), "%s", val);
		} else if (!strcmp(line, "cgroup")) {
			snprintf(st->cgroup, sizeof(st->cgroup), "%s", val);
		} else {
			goto bad;
		}
	}
	free(text);
	free(path);
	return 1;
bad:
	error("%s:%d: unreadable state journal line; restore by hand (it lists "
	      "what a killed benchmark changed)", path, lineno);
	free(text);
	free(path);
	return -1;
}

int state_set_param(struct bench_state *st, const char *path, const char *value)
{
	char cur[512], word[96];
	int i;

	if (read_file_trim(path, cur, sizeof(cur)) < 0)
		return error_errno("cannot read '%s'", path);
	for (i = 0; i < st->nr_params; i++)
		if (!strcmp(st->params[i].path, path))
			break;
	if (i == st->nr_params) {
		if (st->nr_params == STATE_MAX_PARAMS)
			return error("too many parameters to journal");
		if (parse_bracketed(cur, word, sizeof(word)) < 0) {
			if (strlen(cur) >= sizeof(word))
				return error("cannot journal '%s': value too long", path);
			strcpy(word, cur);
		}
		if (strlen(path) >= sizeof(st->params[0].path) || strchr(word, ' ') || !word[0])
			return error("cannot journal '%s' (value '%s')", path, cur);
		snprintf(st->params[i].path, sizeof(st->params[0].path), "%s", path);
		snprintf(st->params[i].value, sizeof(st->params[0].value), "%s", word);
		st->nr_params++;
		if (state_save(st) < 0)
			return -1;
	}
	return write_file(path, value);
}

int state_add_swapon(struct bench_state *st, const char *path)
{
	if (st->nr_swapon == STATE_MAX_SWAPS)
		return error("too many swap devices to journal");
	snprintf(st->swapon[st->nr_swapon++], sizeof(st->swapon[0]), "%s", path);
	return state_save(st);
}

/* The ids of /sys/block/zram* as "0,2,5" (ascending is not needed). */
static int list_zram(char *out, size_t len)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	size_t off = 0;

	out[0] = '\0';
	if (!d)
		return error_errno("cannot list /sys/block");
	while ((e = readdir(d))) {
		char *end;
		long id;

		if (strncmp(e->d_name, "zram", 4))
			continue;
		id = strtol(e->d_name + 4, &end, 10);
		if (end == e->d_name + 4 || *end || id < 0)
			continue;
		off += (size_t)snprintf(out + off, len - off, "%s%ld", off ? "," : "", id);
		if (off >= len) {
			closedir(d);
			return error("too many zram devices to journal");
		}
	}
	closedir(d);
	return 0;
}

static int id_in_list(const char *list, int id)
{
	const char *p = list;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			return 0;
		if (v == id)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

int state_zram_hot_add(struct bench_state *st)
{
	const char *fault = getenv("SWAPBENCH_FAULT");
	int id;

	if (list_zram(st->zram_before, sizeof(st->zram_before)) < 0)
		return -1;
	st->zram_pending = 1;
	if (state_save(st) < 0)
		return -1;
	id = zram_hot_add();
	if (id >= 0 && fault && !strcmp(fault, "zram-hot-add"))
		raise(SIGKILL);
	if (id >= 0)
		st->zram_id = id;
	st->zram_pending = 0;
	st->zram_before[0] = '\0';
	if (state_save(st) < 0)
		return -1;
	return id;
}

/*
 * A run killed during hot_add: the new device is one that was not there
 * before and was never configured (disksize 0; the id is journalled
 * before anything configures it).
 */
static int restore_pending_zram(struct bench_state *st)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : error_errno("cannot list /sys/block");
	while ((e = readdir(d))) {
		char path[300], size[32], *end;
		long id;

		if (strncmp(e->d_name, "zram", 4))
			continue;
		id = strtol(e->d_name + 4, &end, 10);
		if (end == e->d_name + 4 || *end || id < 0 || id == st->zram_id ||
		    id_in_list(st->zram_before, (int)id))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/disksize", e->d_name);
		if (read_file_trim(path, size, sizeof(size)) < 0 || strcmp(size, "0"))
			continue;
		if (zram_remove((int)id) < 0)
			ret = -1;
	}
	closedir(d);
	return ret;
}

int state_restore(struct bench_state *st)
{
	int i, ret = 0;
	char *path;

	for (i = st->nr_swapon - 1; i >= 0; i--)
		if (swap_is_active(st->swapon[i]) && swapdev_off(st->swapon[i]) < 0)
			ret = -1;
	if (st->loop_dev[0] && loopdev_detach(st->loop_dev) < 0)
		ret = -1;
	if (st->swap_file[0] && unlink(st->swap_file) < 0 && errno != ENOENT)
		ret = error_errno("cannot remove swap file '%s'", st->swap_file);
	if (st->zram_id >= 0 && zram_remove(st->zram_id) < 0)
		ret = -1;
	if (st->zram_pending && restore_pending_zram(st) < 0)
		ret = -1;
	if (st->cgroup[0] && rmdir(st->cgroup) < 0 && errno != ENOENT)
		ret = error_errno("cannot remove cgroup '%s'", st->cgroup);
	for (i = st->nr_params - 1; i >= 0; i--)
		if (write_file(st->params[i].path, st->params[i].value) < 0)
			ret = -1;
	if (st->debugfs[0] && umount(st->debugfs) < 0 && errno != EINVAL)
		ret = error_errno("cannot unmount '%s'", st->debugfs);
	if (st->cpuacct[0]) {
		if (umount(st->cpuacct) < 0 && errno != EINVAL && errno != ENOENT)
			ret = error_errno("cannot unmount '%s'", st->cpuacct);
		else if (rmdir(st->cpuacct) < 0 && errno != ENOENT)
			ret = error_errno("cannot remove '%s'", st->cpuacct);
	}
	if (ret == 0) {
		path = journal_path();
		if (unlink(path) < 0 && errno != ENOENT)
			ret = error_errno("cannot remove '%s'", path);
		free(path);
		state_init(st);
	} else {
		/* Keep the journal so `--cleanup` can try again. */
		state_save(st);
	}
	return ret;
}
