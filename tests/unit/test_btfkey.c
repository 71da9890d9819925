// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "btfkey.h"

/* The first notes of this VM's /sys/kernel/notes: a Xen note, the GNU
 * build id, a Linux note. */
static const uint8_t xen_note[] = {
	0x04, 0, 0, 0, 0x08, 0, 0, 0, 0x12, 0, 0, 0, 'X', 'e', 'n', 0,
	0x00, 0x2f, 0x58, 0x03, 0, 0, 0, 0,
};
static const uint8_t gnu_note[] = {
	0x04, 0, 0, 0, 0x14, 0, 0, 0, 0x03, 0, 0, 0, 'G', 'N', 'U', 0,
	0x32, 0xa7, 0xf3, 0xba, 0xce, 0xe6, 0xbf, 0x69, 0xda, 0x94,
	0xf4, 0x97, 0xa8, 0xa0, 0x76, 0x48, 0x3b, 0xae, 0xa2, 0x0e,
};
static const uint8_t linux_note[] = {
	0x06, 0, 0, 0, 0x04, 0, 0, 0, 0x01, 0x01, 0, 0, 'L', 'i', 'n', 'u', 'x', 0, 0, 0,
	0, 0, 0, 0,
};

static size_t cat(uint8_t *out, const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
		  const uint8_t *c, size_t cn)
{
	memcpy(out, a, an);
	memcpy(out + an, b, bn);
	memcpy(out + an + bn, c, cn);
	return an + bn + cn;
}

Test(btfkey, hash_is_fnv1a_64)
{
	cr_assert_eq(btfkey_hash("", 0), 0xcbf29ce484222325ULL);
	cr_assert_eq(btfkey_hash("a", 1), 0xaf63dc4c8601ec8cULL);
	cr_assert_eq(btfkey_hash("foobar", 6), 0x85944171f73967e8ULL);
}

Test(btfkey, build_id_among_other_notes)
{
	uint8_t buf[256], id[BTFKEY_ID_MAX];
	uint32_t idlen = 0;
	size_t n = cat(buf, xen_note, sizeof(xen_note), gnu_note, sizeof(gnu_note), linux_note,
		       sizeof(linux_note));

	cr_assert_eq(btfkey_build_id(buf, n, id, &idlen), 0);
	cr_assert_eq(idlen, 20);
	cr_assert_eq(memcmp(id, gnu_note + 16, 20), 0);
	n = cat(buf, gnu_note, sizeof(gnu_note), NULL, 0, NULL, 0);
	cr_assert_eq(btfkey_build_id(buf, n, id, &idlen), 0);
	cr_assert_eq(idlen, 20);
}

Test(btfkey, no_build_id)
{
	uint8_t buf[256], id[BTFKEY_ID_MAX], note[sizeof(gnu_note)];
	uint32_t idlen = 0;
	size_t n = cat(buf, xen_note, sizeof(xen_note), linux_note, sizeof(linux_note), NULL, 0);

	cr_assert_eq(btfkey_build_id(buf, n, id, &idlen), -ENOENT);
	cr_assert_eq(btfkey_build_id(buf, 0, id, &idlen), -ENOENT);
	cr_assert_eq(btfkey_build_id(buf, 11, id, &idlen), -ENOENT);
	/* "GNU" with another type (not a build id) */
	memcpy(note, gnu_note, sizeof(note));
	note[8] = 1;
	cr_assert_eq(btfkey_build_id(note, sizeof(note), id, &idlen), -ENOENT);
	/* another name of the same length */
	memcpy(note, gnu_note, sizeof(note));
	note[12] = 'X';
	cr_assert_eq(btfkey_build_id(note, sizeof(note), id, &idlen), -ENOENT);
}

Test(btfkey, malformed_notes)
{
	uint8_t note[sizeof(gnu_note)], big[12 + 4 + 68], id[BTFKEY_ID_MAX];
	uint32_t idlen = 0;
	size_t i;

	/* sizes past the end, up to overflow */
	const uint32_t sizes[] = { 0xffffffffu, 0xfffffffdu, 0x80000000u, 21, 24, 100 };
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memcpy(note, gnu_note, sizeof(note));
		memcpy(note + 4, &sizes[i], 4);
		cr_assert_eq(btfkey_build_id(note, sizeof(note), id, &idlen), -EINVAL, "descsz %u",
			     sizes[i]);
		memcpy(note, gnu_note, sizeof(note));
		memcpy(note, &sizes[i], 4);
		cr_assert_eq(btfkey_build_id(note, sizeof(note), id, &idlen), -EINVAL, "namesz %u",
			     sizes[i]);
	}
	/* an empty build id */
	memcpy(note, gnu_note, 16);
	memset(note + 4, 0, 4);
	cr_assert_eq(btfkey_build_id(note, 16, id, &idlen), -EINVAL);
	/* longer than any hash: 68 bytes */
	memset(big, 0, sizeof(big));
	memcpy(big, gnu_note, 16);
	big[4] = 68;
	cr_assert_eq(btfkey_build_id(big, sizeof(big), id, &idlen), -EINVAL);
}

Test(btfkey, every_truncation_and_random_bytes)
{
	uint8_t buf[256], id[BTFKEY_ID_MAX], *copy;
	uint32_t idlen = 0;
	size_t n = cat(buf, xen_note, sizeof(xen_note), gnu_note, sizeof(gnu_note), linux_note,
		       sizeof(linux_note));
	size_t i, j, whole = sizeof(xen_note) + sizeof(gnu_note);
	int r;

	for (i = 0; i < n; i++) {
		/* an exact-size heap copy: a read past the end shows under a sanitizer */
		copy = malloc(i ? i : 1);
		cr_assert_not_null(copy);
		memcpy(copy, buf, i);
		r = btfkey_build_id(copy, i, id, &idlen);
		if (i >= whole)
			cr_assert_eq(r, 0, "prefix %zu", i);
		else
			cr_assert(r == -EINVAL || r == -ENOENT, "prefix %zu: %d", i, r);
		free(copy);
	}
	srand(15);
	for (i = 0; i < 20000; i++) {
		n = (size_t)(rand() % 64);
		for (j = 0; j < n; j++)
			buf[j] = (uint8_t)(rand() % 5 == 0 ? rand() : rand() % 8);
		r = btfkey_build_id(buf, n, id, &idlen);
		cr_assert(r == 0 || r == -EINVAL || r == -ENOENT);
		if (r == 0)
			cr_assert(idlen >= 1 && idlen <= BTFKEY_ID_MAX);
	}
}

static struct btfkey key(void)
{
	struct btfkey k;

	memset(&k, 0, sizeof(k));
	memcpy(k.id, gnu_note + 16, 20);
	k.idlen = 20;
	k.obj_hash = 0x0123456789abcdefULL;
	k.obj_len = 854576;
	return k;
}

Test(btfkey, name)
{
	struct btfkey k = key();
	char name[BTFKEY_NAME_MAX];

	cr_assert_eq(btfkey_name(&k, name), 0);
	cr_assert_str_eq(name, "32a7f3bacee6bf69da94f497a8a076483baea20e-0123456789abcdef.btf");
	k.idlen = BTFKEY_ID_MAX;
	memset(k.id, 0xff, sizeof(k.id));
	cr_assert_eq(btfkey_name(&k, name), 0);
	cr_assert_eq(strlen(name), BTFKEY_NAME_MAX - 1);
	k.idlen = 0;
	cr_assert_eq(btfkey_name(&k, name), -EINVAL);
}

/* A cache file for k around a small BTF blob: its size. */
static size_t make_file(const struct btfkey *k, uint8_t *out)
{
	uint8_t btf[40];
	struct btfkey_hdr h;
	size_t i;

	btf[0] = 0x9f;
	btf[1] = 0xeb; /* BTF magic, little-endian */
	for (i = 2; i < sizeof(btf); i++)
		btf[i] = (uint8_t)(i * 7);
	cr_assert_eq(btfkey_header(k, btf, sizeof(btf), &h), 0);
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), btf, sizeof(btf));
	return sizeof(h) + sizeof(btf);
}

Test(btfkey, file_round_trip)
{
	struct btfkey k = key();
	uint8_t file[512];
	size_t n = make_file(&k, file), len = 0;

	cr_assert_eq(btfkey_check(file, n, &k, &len), 0);
	cr_assert_eq(len, 40);
	cr_assert_eq(file[sizeof(struct btfkey_hdr)], 0x9f);
}

Test(btfkey, every_flipped_byte_is_rejected)
{
	struct btfkey k = key();
	uint8_t file[512];
	size_t n = make_file(&k, file), len = 0, i;
	int r;

	for (i = 0; i < n; i++) {
		file[i] ^= 0x10;
		r = btfkey_check(file, n, &k, &len);
		cr_assert(r == -EINVAL || r == -ESTALE, "byte %zu: %d", i, r);
		file[i] ^= 0x10;
	}
	for (i = 0; i < n; i++)
		cr_assert_eq(btfkey_check(file, i, &k, &len), -EINVAL, "truncated to %zu", i);
	file[n] = 0;
	cr_assert_eq(btfkey_check(file, n + 1, &k, &len), -EINVAL);
}

Test(btfkey, foreign_kernel_or_object)
{
	struct btfkey k = key(), other;
	uint8_t file[512];
	size_t n = make_file(&k, file), len = 0;

	other = k;
	other.id[19] ^= 1;
	cr_assert_eq(btfkey_check(file, n, &other, &len), -ESTALE);
	other = k;
	other.idlen = 16;
	cr_assert_eq(btfkey_check(file, n, &other, &len), -ESTALE);
	other = k;
	other.obj_hash++;
	cr_assert_eq(btfkey_check(file, n, &other, &len), -ESTALE);
	other = k;
	other.obj_len--;
	cr_assert_eq(btfkey_check(file, n, &other, &len), -ESTALE);
}

Test(btfkey, header_refuses_bad_input)
{
	struct btfkey k = key();
	struct btfkey_hdr h;
	uint8_t b[2] = { 0x9f, 0xeb };

	cr_assert_eq(btfkey_header(&k, b, 0, &h), -EINVAL);
	cr_assert_eq(btfkey_header(&k, b, BTFKEY_BTF_MAX + 1, &h), -EINVAL);
	k.idlen = BTFKEY_ID_MAX + 1;
	cr_assert_eq(btfkey_header(&k, b, 2, &h), -EINVAL);
}
