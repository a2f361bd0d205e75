/*
 * test_kbuild.c - unit tests of the kernel build layer: SHA-256 (artifact
 * keys), Kconfig fragment parsing with file:line errors, merging onto a
 * base .config and checking what stuck, and artifact manifests.
 */
#include "ci/kbuild.h"
#include "ci/kconfig.h"
#include "common/sha256.h"
#include "common/util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_sha256(void)
{
	char hex[SHA256_HEX_LEN + 1], big[1000];
	struct sha256 c;
	size_t i;

	sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of empty");
	sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256 of the 448-bit FIPS vector");
	/* streaming in odd pieces gives the same digest as one shot */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	sha256_hex(big, sizeof(big), hex);
	{
		char hex2[SHA256_HEX_LEN + 1];

		sha256_init(&c);
		for (i = 0; i < sizeof(big); i += 37)
			sha256_update(&c, big + i, sizeof(big) - i < 37 ? sizeof(big) - i : 37);
		sha256_final_hex(&c, hex2);
		is_str(hex2, hex, "streaming update equals one-shot");
	}
	{
		char a[1000000 / 8];

		memset(a, 'a', sizeof(a));
		sha256_init(&c);
		for (i = 0; i < 8; i++)
			sha256_update(&c, a, sizeof(a));
		sha256_final_hex(&c, hex);
		is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		       "sha256 of a million 'a'");
	}
}

static void test_kconfig_parse(void)
{
	struct kconfig kc;
	const struct kconfig_entry *e;

	kconfig_init(&kc);
	ok(kconfig_parse(&kc,
			 "# a comment\n"
			 "\n"
			 "CONFIG_SWAP=y\n"
			 "  CONFIG_ZRAM=m  \n"
			 "# CONFIG_SLOB is not set\n"
			 "CONFIG_NR_CPUS=8\n"
			 "CONFIG_PHYS=0x1000\n"
			 "CONFIG_NEG=-4\n"
			 "CONFIG_CMDLINE=\"console=ttyS0 a=\\\"b\\\"\"\n"
			 "CONFIG_OFF=n\n",
			 "frag", 1) == 0, "a valid fragment parses");
	is_int(kc.nr, 8, "eight entries");
	e = kconfig_get(&kc, "CONFIG_ZRAM");
	ok(e && !strcmp(e->value, "m") && e->line == 4 && !strcmp(e->file, "frag"),
	   "value, file and line kept");
	e = kconfig_get(&kc, "CONFIG_SLOB");
	ok(e && !strcmp(e->value, "n"), "'is not set' means n");
	e = kconfig_get(&kc, "CONFIG_CMDLINE");
	ok(e && !strcmp(e->value, "\"console=ttyS0 a=\\\"b\\\"\""), "string kept raw");
	kconfig_release(&kc);

	kconfig_init(&kc);
	ok(kconfig_parse(&kc, "CONFIG_SWAP=y\nSWAP=y\n", "f.config", 1) < 0, "missing CONFIG_ prefix rejected");
	kconfig_release(&kc);
	kconfig_init(&kc);
	ok(kconfig_parse(&kc, "CONFIG_SWAP=yes\n", "f.config", 1) < 0, "value 'yes' rejected");
	kconfig_release(&kc);
	kconfig_init(&kc);
	ok(kconfig_parse(&kc, "CONFIG_S=\"open\n", "f.config", 1) < 0, "unterminated string rejected");
	kconfig_release(&kc);
	kconfig_init(&kc);
	ok(kconfig_parse(&kc, "CONFIG_S=\n", "f.config", 1) < 0, "empty value rejected");
	kconfig_release(&kc);
	kconfig_init(&kc);
	ok(kconfig_parse(&kc, "CONFIG_A-B=y\n", "f.config", 1) < 0, "bad character in name rejected");
	kconfig_release(&kc);
	kconfig_init(&kc);
	ok(kconfig_parse(&kc, "CONFIG_A=y\nCONFIG_A=n\n", "f.config", 1) < 0,
	   "strict: the same option twice in one fragment rejected");
	kconfig_release(&kc);
	kconfig_init(&kc);
	ok(kconfig_parse(&kc, "CONFIG_A=y\nCONFIG_A=n\n", ".config", 0) == 0 &&
	   !strcmp(kconfig_get(&kc, "CONFIG_A")->value, "n"), "non-strict: the last value wins");
	/* a later fragment overrides an earlier one */
	ok(kconfig_parse(&kc, "# CONFIG_A is not set\nCONFIG_A2=y\n", "g", 1) == 0, "second fragment");
	e = kconfig_get(&kc, "CONFIG_A");
	ok(e && !strcmp(e->file, "g") && e->line == 1, "override remembers its origin");
	kconfig_release(&kc);
}

static void test_kconfig_apply_verify(void)
{
	const char *base =
		"#\n# Automatically generated file; DO NOT EDIT.\n#\n"
		"CONFIG_CC_OPTIMIZE_FOR_SIZE=y\n"
		"# CONFIG_SWAP is not set\n"
		"CONFIG_SLOB=y\n"
		"CONFIG_NR_CPUS=1\n";
	struct kconfig frag, have;
	char *merged, *report = NULL;

	kconfig_init(&frag);
	kconfig_init(&have);
	kconfig_parse(&frag, "CONFIG_SWAP=y\n# CONFIG_SLOB is not set\nCONFIG_ZRAM=y\nCONFIG_NR_CPUS=4\n",
		      "ci/config/t.config", 1);
	merged = kconfig_apply(base, &frag);
	ok(strstr(merged, "CONFIG_SWAP=y\n") && !strstr(merged, "# CONFIG_SWAP is not set"),
	   "an unset option is set in place");
	ok(strstr(merged, "# CONFIG_SLOB is not set\n") && !strstr(merged, "CONFIG_SLOB=y"),
	   "a set option is unset in place");
	ok(strstr(merged, "CONFIG_NR_CPUS=4\n") && !strstr(merged, "CONFIG_NR_CPUS=1"), "a number replaced");
	ok(strstr(merged, "CONFIG_ZRAM=y\n") != NULL, "a new option appended");
	ok(strstr(merged, "CONFIG_CC_OPTIMIZE_FOR_SIZE=y\n") && strstr(merged, "DO NOT EDIT"),
	   "other lines kept");

	/* what olddefconfig might have made of it: ZRAM dropped, SLOB back */
	kconfig_parse(&have, "CONFIG_SWAP=y\nCONFIG_SLOB=y\nCONFIG_NR_CPUS=4\n", ".config", 0);
	is_int(kconfig_verify(&frag, &have, &report), 2, "two options did not stick");
	ok(report && strstr(report, "ci/config/t.config:2: CONFIG_SLOB=n did not stick (now: y)"),
	   "report names file:line of an unset option that came back");
	ok(report && strstr(report, "ci/config/t.config:3: CONFIG_ZRAM=y did not stick (now: not set; unknown option or unmet dependency)"),
	   "report names an option that vanished");
	free(report);
	kconfig_release(&have);
	kconfig_init(&have);
	kconfig_parse(&have, "CONFIG_SWAP=y\n# CONFIG_SLOB is not set\nCONFIG_ZRAM=y\nCONFIG_NR_CPUS=4\n",
		      ".config", 0);
	is_int(kconfig_verify(&frag, &have, NULL), 0, "all stuck");
	free(merged);
	kconfig_release(&frag);
	kconfig_release(&have);
}

static void test_artifact_manifest(void)
{
	char home[] = "/tmp/swaplab-test-kbuild.XXXXXX";
	const char *key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct kbuild_artifact a;
	char *dir, *path;

	ok(mkdtemp(home) != NULL, "temporary home");
	ok(kbuild_artifact_load(home, "nothex", &a) < 0, "a key that is not 64 hex digits is refused");
	ok(kbuild_artifact_load(home, key, &a) < 0, "a missing artifact is an error");
	dir = xstrfmt("%s/artifacts/%s", home, key);
	path = xstrfmt("%s/manifest.json", dir);
	{
		char *arts = xstrfmt("%s/artifacts", home);
		const char *m = "{\"schema\":1,\"status\":\"ok\",\"arch\":\"x86_64\",\"commit\":\"abc\","
				"\"build_seconds\":12.5,\"files\":{\"image\":\"bzImage\",\"config\":\"config\"}}";

		mkdir(arts, 0755);
		mkdir(dir, 0755);
		free(arts);
		write_file_atomic(path, m, strlen(m));
	}
	ok(kbuild_artifact_load(home, key, &a) == 0, "manifest loads");
	is_str(a.status, "ok", "status");
	is_str(a.arch, "x86_64", "arch");
	{
		char *img = xstrfmt("%s/bzImage", dir);

		ok(a.image && !strcmp(a.image, img), "image path is absolute in the artifact");
		free(img);
	}
	ok(a.dtb == NULL && a.modules == NULL, "no dtb, no modules");
	ok(a.build_seconds > 12.4 && a.build_seconds < 12.6, "build time");
	kbuild_artifact_release(&a);
	write_file_atomic(path, "{\"schema\":1,\"status\":\"ok\"}", 26);
	ok(kbuild_artifact_load(home, key, &a) < 0, "an ok manifest without an image is refused");
	write_file_atomic(path, "{\"schema\":1,", 12);
	ok(kbuild_artifact_load(home, key, &a) < 0, "a truncated manifest is refused");
	{
		const char *rm[] = { "rm", "-rf", home, NULL };

		run_argv(rm, -1, -1);
	}
	free(dir);
	free(path);
}

static void test_arch(void)
{
	is_str(kbuild_arch("x86_64"), "x86_64", "x86_64");
	is_str(kbuild_arch("aarch64"), "arm64", "aarch64 is arm64");
	ok(kbuild_arch("riscv64") == NULL, "riscv64 unsupported");
}

/* The pinned bases: found by name, tag, PACKAGE=VERSION and commit. */
static void test_bases(void)
{
	const struct kbuild_base *b612 = kbuild_base_find("6.12"), *b61 = kbuild_base_find("6.1");
	size_t i;

	ok(b612 && !strcmp(b612->package, "linux-source-6.12"), "6.12 is linux-source-6.12");
	ok(b61 && !strcmp(b61->version, "6.1.192-2"), "6.1 is pinned at 6.1.192-2");
	ok(kbuild_base_find(KBUILD_DEFAULT_BASE) != NULL, "the default base is in the table");
	ok(kbuild_base_find("debian/6.12.118-1_deb12u1") == b612, "found by its tag");
	ok(kbuild_base_find("linux-source-6.12=6.12.118-1~deb12u1") == b612, "found by PACKAGE=VERSION");
	ok(kbuild_base_find("linux-source-6.12=6.12.119-1") == NULL, "another version is not the pinned one");
	ok(kbuild_base_find("6.13") == NULL && kbuild_base_find(NULL) == NULL, "unknown names: none");
	ok(kbuild_base_by_commit("783b17fac6ee9cded9367d15a7a0b18569b88a2f") == b612, "by full commit id");
	ok(kbuild_base_by_commit("2b88228") == b61, "by a 7-digit abbreviation");
	ok(kbuild_base_by_commit("2B88228B96F3") == b61, "hex case does not matter");
	ok(kbuild_base_by_commit("2b8822") == NULL, "6 digits are too few to name a commit");
	ok(kbuild_base_by_commit("2b88228x") == NULL && kbuild_base_by_commit(NULL) == NULL,
	   "not a prefix of a pinned commit: none");
	for (i = 0; i < kbuild_nr_bases; i++)
		ok(strlen(kbuild_bases[i].commit) == 40 && strspn(kbuild_bases[i].commit,
		   "0123456789abcdef") == 40 && strncmp(kbuild_bases[i].tag, "debian/", 7) == 0,
		   "base %s: a full commit id and a DEP-14 tag", kbuild_bases[i].name);
}

static void test_config_fingerprint(void)
{
	char dir[] = "/tmp/swaplab-test-kcfp-XXXXXX", a[65], b[65], a2[65], b2[65];
	char *pa, *pb, *pc;
	const char *base = "CONFIG_SWAP=y\nCONFIG_ZRAM=y\n# CONFIG_ZSWAP is not set\n";
	/* The patch adds a Kconfig symbol (and reorders nothing else). */
	const char *patched = "CONFIG_ZRAM=y\nCONFIG_SWAP=y\nCONFIG_ZRAM_DEFERRED_FREE=y\n"
			      "# CONFIG_ZSWAP is not set\n";
	const char *other = "CONFIG_SWAP=y\nCONFIG_ZRAM=y\nCONFIG_ZSWAP=y\nCONFIG_ZRAM_DEFERRED_FREE=y\n";

	if (!mkdtemp(dir))
		return;
	pa = xstrfmt("%s/a", dir);
	pb = xstrfmt("%s/b", dir);
	pc = xstrfmt("%s/c", dir);
	write_file_atomic(pa, base, strlen(base));
	write_file_atomic(pb, patched, strlen(patched));
	write_file_atomic(pc, other, strlen(other));
	ok(kconfig_fingerprint_common(pa, pb, a, b) == 0 && !strcmp(a, b),
	   "config fingerprints ignore a symbol only the patched kernel has");
	ok(kconfig_fingerprint_common(pa, pc, a2, b2) == 0 && strcmp(a2, b2),
	   "but not a common symbol set differently (CONFIG_ZSWAP)");
	ok(kconfig_fingerprint_common(pa, "/nonexistent/.config", a, b) < 0, "a missing .config fails");
	unlink(pa);
	unlink(pb);
	unlink(pc);
	rmdir(dir);
	free(pa);
	free(pb);
	free(pc);
}

/* Found by tests/fuzz/fuzz_kconfig: a base line the parser reads must be replaced, however it is spaced. */
static void test_kconfig_apply_spacing(void)
{
	const char *base = "  CONFIG_A=y \n#CONFIG_B is not set\n#   CONFIG_C is not set\n";
	struct kconfig frag, back;
	const struct kconfig_entry *e;
	char *merged, *report = NULL;

	kconfig_init(&frag);
	kconfig_init(&back);
	ok(kconfig_parse(&frag, "CONFIG_A=m\nCONFIG_B=y\nCONFIG_C=y\n", "frag", 1) == 0, "spacing: fragment");
	merged = kconfig_apply(base, &frag);
	ok(merged && kconfig_parse(&back, merged, "merged", 1) == 0,
	   "spacing: every option once in the merged text: %s", merged ? merged : "");
	e = kconfig_get(&back, "CONFIG_A");
	ok(e && !strcmp(e->value, "m"), "spacing: an indented base line replaced");
	ok(kconfig_verify(&frag, &back, &report) == 0, "spacing: every entry stuck %s", report ? report : "");
	free(report);
	free(merged);
	kconfig_release(&frag);
	kconfig_release(&back);
}

int main(void)
{
	test_config_fingerprint();
	test_sha256();
	test_kconfig_parse();
	test_kconfig_apply_verify();
	test_kconfig_apply_spacing();
	test_artifact_manifest();
	test_arch();
	test_bases();
	return done_testing();
}
