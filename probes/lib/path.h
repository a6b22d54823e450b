/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Absolute paths from (vfsmount, dentry) pairs by a bounded walk to the global root, crossing
 * mounts through struct mount (container_of the vfsmount). bpf_d_path is not allowed from the
 * tracepoints Harrier uses, so this is the portable way.
 */
#ifndef HARRIER_LIB_PATH_H
#define HARRIER_LIB_PATH_H

#include "record.h"

#define PATH_DEPTH 40
#define PATH_END   (EVT_PATH_MAX - 1) /* index of the terminating NUL */

struct walk_ctx {
	struct mount *mnt;
	struct dentry *dentry;
	int pos;
	bool partial;
	bool done;
};

/* One step of the walk (a bpf_loop callback, verified once): 0 to go on, 1 to stop. */
static long path__step(__u32 i, void *data)
{
	struct walk_ctx *w = data;
	__u32 zero = 0;
	struct path_buf *pb = bpf_map_lookup_elem(&path_map, &zero);
	struct mount *mnt = w->mnt;
	struct dentry *dentry = w->dentry;
	struct dentry *mnt_root, *parent;
	const unsigned char *name;
	int pos = w->pos;
	__u32 len;

	if (!pb || pos < 0 || pos > PATH_END)
		return 1;
	if (!mnt || !dentry)
		return 1;
	mnt_root = KREAD(mnt, mnt.mnt_root);
	parent = KREAD(dentry, d_parent);
	if (dentry == mnt_root) {
		struct mount *up = KREAD(mnt, mnt_parent);

		if (up == mnt || !up) {
			w->done = true; /* the global root */
			return 1;
		}
		w->dentry = KREAD(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	if (dentry == parent || !parent) {
		w->done = true; /* root of a detached or pseudo file system */
		return 1;
	}
	len = KREAD(dentry, d_name.len);
	name = KREAD(dentry, d_name.name);
	if (len > 255)
		len = 255;
	if ((int)len + 1 > pos) {
		w->partial = true;
		w->done = true;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(&pb->buf[pos & PATH_BUF_MASK], len & 255, name);
	pos -= 1;
	pb->buf[pos & PATH_BUF_MASK] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/*
 * Builds the path of (mnt, dentry) at the end of pb->buf. Returns the start index; the string
 * runs to PATH_END inclusive (NUL). Sets *partial when the depth limit or the buffer cut it.
 * A detached pseudo file (memfd:NAME, anon inodes: its dentry is its own parent) reads as
 * "/NAME", as d_path shows it without " (deleted)"; sockets and pipes have empty names: "/".
 */
static __always_inline int path__walk(struct path_buf *pb, struct vfsmount *vfsmnt,
				      struct dentry *dentry, bool *partial)
{
	struct walk_ctx w = {
	    .mnt = KCAST(container_of(vfsmnt, struct mount, mnt), struct mount),
	    .dentry = dentry,
	    .pos = PATH_END,
	};
	int pos;

	pb->buf[PATH_END] = 0;
	if (KREAD(dentry, d_parent) == dentry && KREAD(vfsmnt, mnt_root) != dentry) {
		__u32 len = KREAD(dentry, d_name.len);

		if (len > 255)
			len = 255;
		pos = PATH_END - len;
		bpf_probe_read_kernel(&pb->buf[pos & PATH_BUF_MASK], len & 255,
				      KREAD(dentry, d_name.name));
		pos -= 1;
		pb->buf[pos & PATH_BUF_MASK] = '/';
		*partial = false;
		return pos;
	}
	bpf_loop(PATH_DEPTH, path__step, &w, 0);
	if (!w.done) {
		w.partial = true;
		stats__error(ERR_PATH_DEPTH);
	}
	*partial = w.partial;
	pos = w.pos;
	if (pos < 1 || pos > PATH_END)
		return -1;
	if (pos == PATH_END) {
		pos -= 1;
		pb->buf[pos & PATH_BUF_MASK] = '/';
	}
	return pos;
}

/* Appends the absolute path of (mnt, dentry) as slot. */
static __always_inline long path__put(struct rec_ctx *c, int slot, struct vfsmount *mnt,
				      struct dentry *dentry)
{
	__u32 zero = 0;
	struct path_buf *pb = bpf_map_lookup_elem(&path_map, &zero);
	bool partial = false;
	int pos;
	__u32 len;

	if (!pb) {
		stats__error(ERR_SCRATCH);
		return 0;
	}
	if (!dentry || !mnt || !rec__has_room(c, slot))
		return 0;
	pos = path__walk(pb, mnt, dentry, &partial);
	if (pos < 0 || pos > PATH_END)
		return 0;
	len = PATH_END + 1 - pos;
	if (len > EVT_PATH_MAX)
		return 0;
	if (bpf_probe_read_kernel(&c->s->var[c->off & EVT_VAR_MASK], len & (2 * EVT_PATH_MAX - 1),
				  &pb->buf[pos & PATH_BUF_MASK]) < 0)
		return 0;
	if (partial) {
		c->s->rec.hdr.flags |= EVT_F_PATH_PARTIAL;
		c->s->rec.str_trunc |= 1 << slot;
	}
	c->s->rec.str_off[slot] = c->off;
	c->s->rec.str_len[slot] = len;
	c->off += len;
	return len;
}

static __always_inline long path__put_file(struct rec_ctx *c, int slot, struct file *f)
{
	if (!f) {
		stats__error(ERR_FD);
		return 0;
	}
	return path__put(c, slot, KREAD(f, f_path.mnt), KREAD(f, f_path.dentry));
}

/* Appends the directory a relative path passed with dirfd is resolved against. */
static __always_inline long path__put_base(struct rec_ctx *c, int slot, struct task_struct *task,
					   long dirfd)
{
	if ((int)dirfd == AT_FDCWD_) {
		struct fs_struct *fs = task->fs;

		if (!fs)
			return 0;
		return path__put(c, slot, fs->pwd.mnt, fs->pwd.dentry);
	}
	return path__put_file(c, slot, task__fd_file(task, (int)dirfd));
}

/* Appends a user path as slot, then its base directory as base_slot when it is relative. */
static __always_inline void path__put_user(struct rec_ctx *c, int slot, int base_slot,
					   struct task_struct *task, long dirfd, const void *upath)
{
	long n = rec__user_str(c, slot, upath);

	if (n > 1 && rec__first_byte(c, n) != '/')
		path__put_base(c, base_slot, task, dirfd);
}

#endif /* HARRIER_LIB_PATH_H */
