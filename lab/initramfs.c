/*
 * initramfs.c - builds the lab's guest initramfs (newc cpio, gzip) that
 * runs one swapbench plan on a freshly booted kernel, and reads back what
 * the guest printed on its console.  The protocol is described in
 * initramfs.h; /init below is its guest side, guest_console_parse() its
 * host side.
 */
#include "lab/initramfs.h"
#include "common/sha256.h"
#include "common/util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The guest's /init (busybox sh).  Bump the "start" version with any
 * change of the console protocol. */
static const char init_script[] =
	"#!/bin/sh\n"
	"# /init of the swaplab guest (written by lab/initramfs.c): runs one\n"
	"# benchmark plan and prints its JSON Lines between console markers.\n"
	"/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin /run\n"
	"/bin/busybox --install -s\n"
	"export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TMPDIR=/tmp\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev 2>/dev/null\n"
	"mount -t tmpfs tmpfs /tmp\n"
	"mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n"
	"mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null\n"
	"end=reboot\n"
	"finish() {\n"
	"\tsync\n"
	"\techo \"SWAPLAB-GUEST done\"\n"
	"\tcase \"$end\" in\n"
	"\tpoweroff) poweroff -f ;;\n"
	"\thalt) halt -f ;;\n"
	"\t*) reboot -f ;;\n"
	"\tesac\n"
	"\tsleep 3600\n"
	"}\n"
	"fail() {\n"
	"\techo \"SWAPLAB-ERROR $*\"\n"
	"\tfinish\n"
	"}\n"
	"# Only emergencies reach the console from here on: kernel messages\n"
	"# must not split the stream below.\n"
	"echo \"1 4 1 7\" > /proc/sys/kernel/printk\n"
	"echo \"SWAPLAB-GUEST start 1\"\n"
	"if [ -d \"/lib/modules/$(uname -r)\" ]; then\n"
	"\tfor m in zsmalloc zram lzo lzo-rle lz4 zstd loop; do modprobe -q $m 2>/dev/null; done\n"
	"fi\n"
	"for w in $(cat /proc/cmdline); do\n"
	"\tcase \"$w\" in\n"
	"\tswaplab.plan=*) echo \"${w#swaplab.plan=}\" | base64 -d > /tmp/plan || fail \"bad swaplab.plan on the kernel command line\" ;;\n"
	"\tswaplab.end=*) end=${w#swaplab.end=} ;;\n"
	"\tswaplab.shell=1) shell=1 ;;\n"
	"\tesac\n"
	"done\n"
	"# LAVA jobs (lab/lava_job.c) run the plan from a test shell: set up as\n"
	"# above, then hand the console to an interactive shell.\n"
	"if [ \"$shell\" = 1 ]; then echo \"SWAPLAB-GUEST shell\"; exec setsid cttyhack sh; fi\n"
	"[ -s /tmp/plan ] || cp /etc/swaplab/plan /tmp/plan 2>/dev/null || fail \"no plan: neither swaplab.plan= nor /etc/swaplab/plan\"\n"
	"set --\n"
	"while IFS= read -r a; do set -- \"$@\" \"$a\"; done < /tmp/plan\n"
	"cd /tmp\n"
	"/bin/swapbench \"$@\" > /tmp/out.jsonl 2>/dev/console\n"
	"rc=$?\n"
	"echo \"SWAPLAB-RC $rc\"\n"
	"n=$(awk 'END { print NR }' /tmp/out.jsonl)\n"
	"sum=$(awk '{ print }' /tmp/out.jsonl | sha256sum | cut -d' ' -f1)\n"
	"echo \"SWAPLAB-JSONL-BEGIN\"\n"
	"awk '{ print \"SWAPLAB-JSONL \" NR \" \" $0 }' /tmp/out.jsonl\n"
	"echo \"SWAPLAB-JSONL-END $n $sum\"\n"
	"finish\n";

/* ---- defaults ------------------------------------------------------- */

static char *exe_dir(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return xstrdup(".");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(exe);
}

char *initramfs_default_busybox(const char *arch)
{
	const char *home = getenv("SWAPLAB_HOME");

	if (!arch || !strcmp(arch, "x86_64"))
		return xstrdup("/bin/busybox");
	return xstrfmt("%s/arm64/busybox", home && *home ? home : "/var/lib/swaplab");
}

char *initramfs_default_swapbench(const char *arch)
{
	const char *env = getenv("SWAPBENCH");
	char *dir = exe_dir(), *p;

	if ((!arch || !strcmp(arch, "x86_64")) && env && *env)
		p = xstrdup(env);
	else if (!arch || !strcmp(arch, "x86_64"))
		p = xstrfmt("%s/swapbench", dir);
	else
		p = xstrfmt("%s/arm64/swapbench", dir);
	free(dir);
	return p;
}

/* ---- ELF check ------------------------------------------------------ */

static unsigned long long le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* A static (no PT_INTERP) 64-bit little-endian executable for arch. */
static int check_static_elf(const char *path, const char *arch, const char *what)
{
	unsigned char eh[64], ph[56];
	unsigned machine = !strcmp(arch, "arm64") ? 183 : 62;  /* EM_AARCH64, EM_X86_64 */
	unsigned long long phoff, i, phnum, phentsize;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return error_errno("cannot open %s '%s'", what, path);
	if (pread(fd, eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh, "\177ELF", 4) ||
	    eh[4] != 2 || eh[5] != 1) {
		ret = error("%s '%s' is not a 64-bit little-endian ELF executable", what, path);
		goto out;
	}
	if (le(eh + 18, 2) != machine) {
		ret = error("%s '%s' is built for another machine (ELF machine %llu), not %s",
			    what, path, le(eh + 18, 2), arch);
		goto out;
	}
	phoff = le(eh + 32, 8);
	phentsize = le(eh + 54, 2);
	phnum = le(eh + 56, 2);
	for (i = 0; i < phnum; i++) {
		if (pread(fd, ph, sizeof(ph), (off_t)(phoff + i * phentsize)) != (ssize_t)sizeof(ph)) {
			ret = error("%s '%s': truncated ELF program headers", what, path);
			goto out;
		}
		if (le(ph, 4) == 3) {  /* PT_INTERP */
			ret = error("%s '%s' is dynamically linked; the guest needs a static executable",
				    what, path);
			goto out;
		}
	}
out:
	close(fd);
	return ret;
}

/* ---- cpio (newc) writer ------------------------------------------------ */

struct cpio {
	FILE *f;
	const char *path;
	unsigned long ino;
	int err;
};

static void cpio_pad(struct cpio *c)
{
	static const char zero[4];
	long pos = ftell(c->f);

	if (pos % 4)
		fwrite(zero, 1, (size_t)(4 - pos % 4), c->f);
}

/* One entry; everything owned by root, mtime 0: the same inputs give the
 * same bytes. */
static void cpio_entry(struct cpio *c, const char *name, unsigned mode, unsigned rmaj,
		       unsigned rmin, const void *data, size_t len)
{
	fprintf(c->f, "070701%08lX%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X",
		++c->ino, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, (unsigned long)len, 0u, 0u,
		rmaj, rmin, (unsigned long)strlen(name) + 1, 0u);
	fwrite(name, 1, strlen(name) + 1, c->f);
	cpio_pad(c);
	if (len)
		fwrite(data, 1, len, c->f);
	cpio_pad(c);
	if (ferror(c->f))
		c->err = 1;
}

static int cpio_file(struct cpio *c, const char *name, const char *src, unsigned perm)
{
	size_t len;
	char *data = slurp_file(src, &len);

	if (!data)
		return error_errno("cannot read '%s'", src);
	cpio_entry(c, name, S_IFREG | perm, 0, 0, data, len);
	free(data);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds dir (on disk) as name, recursively, in name order. */
static int cpio_tree(struct cpio *c, const char *dir, const char *name)
{
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return error_errno("cannot read '%s'", dir);
	cpio_entry(c, name, S_IFDIR | 0755, 0, 0, NULL, 0);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n && !ret; i++) {
		char *src = xstrfmt("%s/%s", dir, names[i]), *dst = xstrfmt("%s/%s", name, names[i]);
		struct stat st;

		if (lstat(src, &st) < 0)
			ret = error_errno("cannot stat '%s'", src);
		else if (S_ISDIR(st.st_mode))
			ret = cpio_tree(c, src, dst);
		else if (S_ISREG(st.st_mode))
			ret = cpio_file(c, dst, src, st.st_mode & 0777);
		else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t tl = readlink(src, target, sizeof(target));

			if (tl < 0)
				ret = error_errno("cannot read link '%s'", src);
			else
				cpio_entry(c, dst, S_IFLNK | 0777, 0, 0, target, (size_t)tl);
		}
		free(src);
		free(dst);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int run_quiet(const char *const *argv)
{
	return run_argv(argv, -1, -1) == 0 ? 0 : error("'%s' failed", argv[0]);
}

/*
 * The modules a guest may need: the swap stack and what it loads on
 * demand (zswap's zpool drivers, compressors), and loop devices for
 * zswap's backing swap.  Everything else of a distribution kernel (400 MB
 * for Debian's) stays out; the closure over modules.dep comes in.
 */
static const char *const guest_modules[] = {
	"zram", "zsmalloc", "z3fold", "zbud", "lzo", "lzo_rle", "lz4", "lz4hc", "zstd", "842",
	"deflate", "loop", NULL,
};

/* "kernel/drivers/block/zram/zram.ko.xz" -> "zram" (- and _ alike). */
static char *module_name(const char *path, size_t len)
{
	const char *base = path, *p;
	char *name, *q;

	for (p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	name = xmalloc((size_t)(path + len - base) + 1);
	memcpy(name, base, (size_t)(path + len - base));
	name[path + len - base] = '\0';
	if ((q = strstr(name, ".ko")))
		*q = '\0';
	for (q = name; *q; q++)
		if (*q == '-')
			*q = '_';
	return name;
}

static int copy_to(const char *src, const char *dst)
{
	char *dir = xstrdup(dst), *slash = strrchr(dir, '/');
	const char *mk[] = { "mkdir", "-p", dir, NULL }, *cp[] = { "cp", "-P", "--", src, dst, NULL };
	int ret;

	if (slash)
		*slash = '\0';
	ret = run_quiet(mk) < 0 || run_quiet(cp) < 0 ? -1 : 0;
	free(dir);
	return ret;
}

/*
 * Stages release dir rel (with its modules.dep) into stage/<name>: the
 * modprobe indexes and the guest modules with their dependencies.
 */
static int stage_release(const char *rel, const char *name, const char *stage)
{
	static const char *const indexes[] = { "modules.dep", "modules.alias", "modules.builtin",
						"modules.order", "modules.softdep", "modules.symbols",
						"modules.builtin.modinfo", NULL };
	char *dep_path = xstrfmt("%s/modules.dep", rel), *dep = slurp_file(dep_path, NULL);
	char **lines = NULL, *p;
	unsigned char *want;
	size_t n = 0, alloc = 0, i, j;
	int changed = 1, ret = 0;

	free(dep_path);
	if (!dep)
		return error_errno("cannot read modules.dep in '%s'", rel);
	for (p = dep; *p; ) {
		char *eol = strchrnul(p, '\n');

		ALLOC_GROW(lines, n + 1, alloc);
		lines[n++] = p;
		if (!*eol)
			break;
		*eol = '\0';
		p = eol + 1;
	}
	want = xcalloc(n ? n : 1, 1);
	for (i = 0; i < n; i++) {
		size_t len = strcspn(lines[i], ":");
		char *mod = module_name(lines[i], len);
		const char *const *g;

		for (g = guest_modules; *g; g++)
			if (!strcmp(*g, mod))
				want[i] = 1;
		free(mod);
	}
	/* close over dependencies: "a.ko: b.ko c.ko" */
	while (changed) {
		changed = 0;
		for (i = 0; i < n; i++) {
			char *deps = strchr(lines[i], ':'), *tok, *save = NULL, *copy;

			if (!want[i] || !deps)
				continue;
			copy = xstrdup(deps + 1);
			for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
				for (j = 0; j < n; j++)
					if (!want[j] && strcspn(lines[j], ":") == strlen(tok) &&
					    !strncmp(lines[j], tok, strlen(tok))) {
						want[j] = 1;
						changed = 1;
					}
			free(copy);
		}
	}
	for (i = 0; i < n && !ret; i++) {
		char *src, *dst;

		if (!want[i])
			continue;
		src = xstrfmt("%s/%.*s", rel, (int)strcspn(lines[i], ":"), lines[i]);
		dst = xstrfmt("%s/%s/%.*s", stage, name, (int)strcspn(lines[i], ":"), lines[i]);
		ret = copy_to(src, dst);
		free(src);
		free(dst);
	}
	for (i = 0; indexes[i] && !ret; i++) {
		char *src = xstrfmt("%s/%s", rel, indexes[i]), *dst = xstrfmt("%s/%s/%s", stage, name, indexes[i]);

		if (access(src, R_OK) == 0)
			ret = copy_to(src, dst);
		free(src);
		free(dst);
	}
	free(want);
	free(lines);
	free(dep);
	return ret;
}

/*
 * Adds lib/modules/<release>/ for the guest from a directory (holding
 * lib/modules, or lib/modules itself, or one release directory such as
 * /lib/modules/6.1.0-56-amd64) or a .tar.gz of one (a kernel artifact).
 */
static int add_modules(struct cpio *c, const char *modules, const char *tmpdir)
{
	char *root, *libmod, *stage = xstrfmt("%s/stage", tmpdir), *dep;
	struct dirent *de;
	struct stat st;
	int ret = 0, releases = 0;
	DIR *d;

	if (stat(modules, &st) < 0) {
		free(stage);
		return error_errno("cannot use modules '%s'", modules);
	}
	if (S_ISDIR(st.st_mode)) {
		root = xstrdup(modules);
	} else {
		char *x = xstrfmt("%s/x", tmpdir);
		const char *mk[] = { "mkdir", "-p", x, NULL };
		const char *tar[] = { "tar", "-xzf", modules, "-C", x, "--no-same-owner", NULL };

		if (run_quiet(mk) < 0 || run_quiet(tar) < 0) {
			free(x);
			free(stage);
			return error("cannot unpack modules tarball '%s'", modules);
		}
		root = x;
	}
	if (mkdir(stage, 0700) < 0) {
		ret = error_errno("cannot create '%s'", stage);
		goto out_root;
	}
	dep = xstrfmt("%s/modules.dep", root);
	if (access(dep, R_OK) == 0) {
		/* one release directory */
		const char *slash = strrchr(root, '/');

		free(dep);
		ret = stage_release(root, slash && slash[1] ? slash + 1 : root, stage);
		releases = 1;
		goto add;
	}
	free(dep);
	libmod = xstrfmt("%s/lib/modules", root);
	if (stat(libmod, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(libmod);
		libmod = xstrdup(root);
	}
	d = opendir(libmod);
	if (!d) {
		ret = error_errno("cannot read modules in '%s'", libmod);
		free(libmod);
		goto out_root;
	}
	while (!ret && (de = readdir(d))) {
		char *rel = xstrfmt("%s/%s", libmod, de->d_name), *relsdep = xstrfmt("%s/modules.dep", rel);

		if (de->d_name[0] != '.' && access(relsdep, R_OK) == 0) {
			ret = stage_release(rel, de->d_name, stage);
			releases++;
		}
		free(rel);
		free(relsdep);
	}
	closedir(d);
	if (!ret && !releases)
		ret = error("no lib/modules/<release>/modules.dep in '%s'", modules);
	free(libmod);
add:
	if (!ret)
		ret = cpio_tree(c, stage, "lib/modules");
out_root:
	free(root);
	free(stage);
	return ret;
}

static char *plan_text(const struct lab_plan *plan)
{
	size_t i, len = 0;
	char *s, *p;

	for (i = 0; i < plan->argc; i++) {
		if (strchr(plan->argv[i], '\n')) {
			error("plan argument '%s' holds a newline", plan->argv[i]);
			return NULL;
		}
		len += strlen(plan->argv[i]) + 1;
	}
	p = s = xmalloc(len + 1);
	for (i = 0; i < plan->argc; i++)
		p += sprintf(p, "%s\n", plan->argv[i]);
	*p = '\0';
	return s;
}

int initramfs_build(const struct initramfs_opts *o, const char *out)
{
	static const char *const dirs[] = { "bin", "dev", "etc", "etc/swaplab", "lib", "proc",
					    "root", "run", "sbin", "sys", "tmp", "usr", "usr/bin",
					    "usr/sbin" };
	const char *arch = o->arch ? o->arch : "x86_64";
	char *busybox = o->busybox ? xstrdup(o->busybox) : initramfs_default_busybox(arch);
	char *swapbench = o->swapbench ? xstrdup(o->swapbench) : initramfs_default_swapbench(arch);
	char *cpio_path = xstrfmt("%s.cpio.%d", out, (int)getpid());
	char *gz_path = xstrfmt("%s.gz.%d", out, (int)getpid());
	char *moddir = NULL, *plan = NULL;
	struct cpio c = { NULL, cpio_path, 0, 0 };
	size_t i;
	int ret = -1;

	if (strcmp(arch, "x86_64") && strcmp(arch, "arm64")) {
		error("unsupported arch '%s' (x86_64 or arm64)", arch);
		goto out;
	}
	if (check_static_elf(busybox, arch, "busybox") < 0 ||
	    check_static_elf(swapbench, arch, "swapbench") < 0)
		goto out;
	if (o->plan && !(plan = plan_text(o->plan)))
		goto out;
	c.f = fopen(cpio_path, "we");
	if (!c.f) {
		error_errno("cannot create '%s'", cpio_path);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		cpio_entry(&c, dirs[i], S_IFDIR | 0755, 0, 0, NULL, 0);
	/* The kernel opens /dev/console for init before anything is mounted. */
	cpio_entry(&c, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0);
	cpio_entry(&c, "dev/null", S_IFCHR | 0666, 1, 3, NULL, 0);
	cpio_entry(&c, "bin/sh", S_IFLNK | 0777, 0, 0, "busybox", 7);
	cpio_entry(&c, "init", S_IFREG | 0755, 0, 0, init_script, strlen(init_script));
	if (plan)
		cpio_entry(&c, "etc/swaplab/plan", S_IFREG | 0644, 0, 0, plan, strlen(plan));
	if (cpio_file(&c, "bin/busybox", busybox, 0755) < 0 ||
	    cpio_file(&c, "bin/swapbench", swapbench, 0755) < 0)
		goto out;
	if (o->modules) {
		moddir = xstrfmt("%s.mod.%d", out, (int)getpid());
		if (mkdir(moddir, 0700) < 0) {
			error_errno("cannot create '%s'", moddir);
			goto out;
		}
		if (add_modules(&c, o->modules, moddir) < 0)
			goto out;
	}
	cpio_entry(&c, "TRAILER!!!", 0, 0, 0, NULL, 0);
	if (c.err || fclose(c.f) != 0) {
		c.f = NULL;
		error_errno("cannot write '%s'", cpio_path);
		goto out;
	}
	c.f = NULL;
	if (!o->no_gzip) {
		int fd = open(gz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		const char *gz[] = { "gzip", "-n", "-c", cpio_path, NULL };
		int st;

		if (fd < 0) {
			error_errno("cannot create '%s'", gz_path);
			goto out;
		}
		st = run_argv(gz, fd, -1);
		if (close(fd) < 0 || st != 0) {
			error("cannot compress '%s' with gzip", cpio_path);
			goto out;
		}
		if (rename(gz_path, out) < 0) {
			error_errno("cannot rename '%s' to '%s'", gz_path, out);
			goto out;
		}
	} else if (rename(cpio_path, out) < 0) {
		error_errno("cannot rename '%s' to '%s'", cpio_path, out);
		goto out;
	}
	ret = 0;
out:
	if (c.f)
		fclose(c.f);
	unlink(cpio_path);
	unlink(gz_path);
	if (moddir)
		rm_rf(moddir);
	free(moddir);
	free(plan);
	free(cpio_path);
	free(gz_path);
	free(busybox);
	free(swapbench);
	return ret;
}

/* ---- host side of the protocol ------------------------------------------ */

char *initramfs_plan_param(const struct lab_plan *plan)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *text = plan_text(plan), *out, *p;
	size_t len, i;

	if (!text)
		return NULL;
	len = strlen(text);
	out = xmalloc(strlen("swaplab.plan=") + 4 * ((len + 2) / 3) + 1);
	p = out + sprintf(out, "swaplab.plan=");
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)text[i] << 16;

		if (i + 1 < len)
			v |= (unsigned char)text[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)text[i + 2];
		*p++ = b64[v >> 18 & 63];
		*p++ = b64[v >> 12 & 63];
		*p++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*p++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*p = '\0';
	free(text);
	return out;
}

void guest_report_release(struct guest_report *r)
{
	free(r->problem);
	free(r->guest_error);
	free(r->panic);
	free(r->last_line);
	memset(r, 0, sizeof(*r));
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void set_once(char **dst, char *s)
{
	if (!*dst)
		*dst = s;
	else
		free(s);
}

int guest_console_parse(const char *text, size_t len, const char *jsonl_out,
			struct guest_report *r)
{
	char *data = NULL, sum[SHA256_HEX_LEN + 1];
	size_t dlen = 0, dalloc = 0;
	unsigned long next = 0;
	int in_stream = 0, ret = 0;
	struct sha256 c;
	const char *p = text, *end = text + len;

	memset(r, 0, sizeof(*r));
	r->rc = -1;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);
		char *line;

		/* serial lines end in \r\n; a guest reset may leave \r or NULs */
		while (n && (p[n - 1] == '\r' || p[n - 1] == '\0'))
			n--;
		while (n && (*p == '\r' || *p == '\0')) {
			p++;
			n--;
		}
		line = xmalloc(n + 1);
		memcpy(line, p, n);
		line[n] = '\0';
		p = eol ? eol + 1 : end;
		if (n) {
			free(r->last_line);
			r->last_line = xstrdup(line);
		}
		if (strstr(line, "Linux version "))
			r->banner = 1;
		if ((strstr(line, "Kernel panic") || strstr(line, "Oops") || strstr(line, "BUG: ")) &&
		    !starts(line, "SWAPLAB-"))
			set_once(&r->panic, xstrdup(line));
		if (starts(line, "SWAPLAB-GUEST start"))
			r->started = 1;
		else if (starts(line, "SWAPLAB-GUEST done"))
			r->done = 1;
		else if (starts(line, "SWAPLAB-ERROR "))
			set_once(&r->guest_error, xstrdup(line + 14));
		else if (starts(line, "SWAPLAB-RC "))
			r->rc = atoi(line + 11);
		else if (!strcmp(line, "SWAPLAB-JSONL-BEGIN")) {
			in_stream = 1;
			next = 1;
			dlen = 0;
			sha256_init(&c);
			free(r->problem);
			r->problem = NULL;
		} else if (starts(line, "SWAPLAB-JSONL ") && in_stream) {
			char *q;
			unsigned long no = strtoul(line + 14, &q, 10);

			if (*q != ' ' || no != next) {
				set_once(&r->problem, xstrfmt("console stream line %lu is damaged or out of order: '%.60s'",
							      next, line));
			} else {
				size_t l = strlen(q + 1);

				ALLOC_GROW(data, dlen + l + 2, dalloc);
				memcpy(data + dlen, q + 1, l);
				data[dlen + l] = '\n';
				dlen += l + 1;
				sha256_update(&c, q + 1, l);
				sha256_update(&c, "\n", 1);
				next++;
			}
		} else if (starts(line, "SWAPLAB-JSONL-END ") && in_stream) {
			char want[SHA256_HEX_LEN + 2] = "", *q;
			unsigned long count = strtoul(line + 18, &q, 10);

			in_stream = 0;
			r->stream_seen = 1;
			r->lines = next - 1;
			sscanf(q, " %65s", want);
			sha256_final_hex(&c, sum);
			if (!r->problem && count != next - 1)
				r->problem = xstrfmt("console stream has %lu lines, the guest sent %lu",
						     next - 1, count);
			if (!r->problem && strcmp(want, sum))
				r->problem = xstrfmt("console stream checksum mismatch (guest %.16s, host %.16s)",
						     want, sum);
			r->stream_ok = !r->problem;
		}
		free(line);
	}
	if (in_stream && !r->problem)
		r->problem = xstrfmt("console stream cut after %lu lines (no SWAPLAB-JSONL-END)", next - 1);
	if (r->stream_ok && jsonl_out && write_file_atomic(jsonl_out, data ? data : "", dlen) < 0)
		ret = -1;
	free(data);
	return ret;
}
