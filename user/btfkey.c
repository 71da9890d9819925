// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Minimized kernel BTF cache: key, name and file check (btfkey.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "btfkey.h"

#define NT_GNU_BUILD_ID 3
#define BTF_MAGIC 0xeB9F

static const char hdr_magic[8] = { 'M', 'L', 'P', 'B', 'T', 'F', '0', '1' };

uint64_t btfkey_hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* n rounded up to 4, or 0 if that overflows. */
static size_t pad4(size_t n)
{
	return n > SIZE_MAX - 3 ? 0 : (n + 3) & ~(size_t)3;
}

int btfkey_build_id(const void *notes, size_t len, uint8_t id[BTFKEY_ID_MAX], uint32_t *idlen)
{
	const uint8_t *p = notes;
	size_t off = 0, namesz, descsz, name_pad, desc_pad;
	int err = -ENOENT;

	while (err == -ENOENT && len - off >= 12) {
		namesz = get32(p + off);
		descsz = get32(p + off + 4);
		name_pad = pad4(namesz);
		desc_pad = pad4(descsz);
		off += 12;
		if ((namesz && !name_pad) || (descsz && !desc_pad) || name_pad > len - off ||
		    desc_pad > len - off - name_pad) {
			err = -EINVAL;
			break;
		}
		if (namesz == 4 && !memcmp(p + off, "GNU", 4) &&
		    get32(p + off - 4) == NT_GNU_BUILD_ID) {
			if (!descsz || descsz > BTFKEY_ID_MAX) {
				err = -EINVAL;
				break;
			}
			memcpy(id, p + off + name_pad, descsz);
			*idlen = (uint32_t)descsz;
			err = 0;
		}
		off += name_pad + desc_pad;
	}
	return err;
}

int btfkey_name(const struct btfkey *k, char name[BTFKEY_NAME_MAX])
{
	int err = !k->idlen || k->idlen > BTFKEY_ID_MAX ? -EINVAL : 0;
	size_t off = 0;
	uint32_t i;

	for (i = 0; !err && i < k->idlen; i++)
		off += (size_t)snprintf(name + off, BTFKEY_NAME_MAX - off, "%02x", k->id[i]);
	if (!err)
		snprintf(name + off, BTFKEY_NAME_MAX - off, "-%016llx.btf",
			 (unsigned long long)k->obj_hash);
	return err;
}

int btfkey_header(const struct btfkey *k, const void *btf, size_t n, struct btfkey_hdr *h)
{
	int err = !k->idlen || k->idlen > BTFKEY_ID_MAX || !n || n > BTFKEY_BTF_MAX ? -EINVAL : 0;

	if (!err) {
		memset(h, 0, sizeof(*h));
		memcpy(h->magic, hdr_magic, sizeof(h->magic));
		h->idlen = k->idlen;
		memcpy(h->id, k->id, k->idlen);
		h->obj_hash = k->obj_hash;
		h->obj_len = k->obj_len;
		h->btf_len = n;
		h->btf_sum = btfkey_hash(btf, n);
	}
	return err;
}

int btfkey_check(const void *file, size_t n, const struct btfkey *k, size_t *btf_len)
{
	const uint8_t *btf = (const uint8_t *)file + sizeof(struct btfkey_hdr);
	struct btfkey_hdr h;
	uint16_t magic = 0;
	uint32_t i;
	int err = n < sizeof(h) + sizeof(magic) ? -EINVAL : 0;

	if (!err) {
		memcpy(&h, file, sizeof(h));
		memcpy(&magic, btf, sizeof(magic));
		if (memcmp(h.magic, hdr_magic, sizeof(h.magic)) || h.zero ||
		    h.btf_len != n - sizeof(h) || !h.idlen || h.idlen > BTFKEY_ID_MAX ||
		    magic != BTF_MAGIC || h.btf_sum != btfkey_hash(btf, (size_t)h.btf_len))
			err = -EINVAL;
	}
	for (i = 0; !err && i < BTFKEY_ID_MAX; i++)
		if (i >= h.idlen && h.id[i])
			err = -EINVAL; /* every byte of the header is checked */
	if (!err && (h.idlen != k->idlen || memcmp(h.id, k->id, k->idlen) ||
		     h.obj_hash != k->obj_hash || h.obj_len != k->obj_len))
		err = -ESTALE;
	if (!err)
		*btf_len = (size_t)h.btf_len;
	return err;
}
