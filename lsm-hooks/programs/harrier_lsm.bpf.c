// SPDX-License-Identifier: GPL-2.0
/*
 * Harrier BPF LSM enforcement. Each hook looks the operation up in the policy maps of
 * include/policy_maps.h and returns -EPERM (deny), -EPERM plus SIGKILL to the caller (kill), or 0
 * with a "would-deny" record (monitor). Every decision is written to the `decisions` ring buffer as
 * a struct dec_record; a full ring buffer never changes the decision, it is counted in lsm_stats.
 *
 * Self-protection (lsm_config.flags & LSM_CFG_SELF_PROTECT): signals and ptrace aimed at the
 * enforcing process, and opening Harrier's BPF objects (by id, by pin path, or any new fd to a
 * protected map/prog) by any other process are denied.
 *
 * CO-RE only: built once against vmlinux.h, relocated by libbpf on the target kernel (6.1+).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "policy_maps.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM_	      1
#define SIGKILL_      9
#define AF_INET_      2
#define AF_INET6_     10
#define POL_MAX_DEPTH 24

/* Keeps struct dec_record in the object's BTF, where the C# mirror test (LsmAbiTests) reads its
 * layout. */
const volatile struct dec_record dec_record_btf_anchor = {};

/* The pin directory every pinned object lives under; BPF_OBJ_GET below it is self-protected. */
static const char pin_prefix[] = "/sys/fs/bpf/harrier/";

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&lsm_stats, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline struct lsm_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lsm_config, &zero);
}

static __always_inline bool enforcing(const struct lsm_config *cfg)
{
	return cfg && (cfg->flags & LSM_CFG_ENFORCE);
}

/* True when the caller is the protected enforcer (same thread group, or the same executable). */
static __always_inline bool caller_is_self(const struct lsm_config *cfg)
{
	struct task_struct *task;
	__u64 ino;
	__u32 dev;

	if (!cfg)
		return false;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == cfg->protect_tgid)
		return true;
	if (!cfg->exe_ino)
		return false;
	task = (struct task_struct *)bpf_get_current_task();
	ino = BPF_CORE_READ(task, mm, exe_file, f_inode, i_ino);
	dev = BPF_CORE_READ(task, mm, exe_file, f_inode, i_sb, s_dev);
	return ino == cfg->exe_ino && dev == cfg->exe_dev;
}

static __always_inline bool self_protecting(const struct lsm_config *cfg)
{
	return cfg && (cfg->flags & LSM_CFG_SELF_PROTECT) && cfg->protect_tgid;
}

static __always_inline void task_fill(struct evt_task *t)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 ug = bpf_get_current_uid_gid();

	t->ppid = BPF_CORE_READ(task, real_parent, tgid);
	t->uid = (__u32)ug;
	t->gid = (__u32)(ug >> 32);
	if (bpf_core_field_exists(task->loginuid))
		t->loginuid = BPF_CORE_READ(task, loginuid.val);
	else
		t->loginuid = (__u32)-1;
	t->cgroup_id = bpf_get_current_cgroup_id();
	t->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	bpf_get_current_comm(t->comm, sizeof(t->comm));
}

/*
 * Applies a matched entry: sets *ret (0 or -EPERM), sends SIGKILL for kill entries in enforce mode,
 * counts, and reserves a decision record with its common part filled. Returns NULL when the ring
 * buffer is full (counted as lost); the caller fills the specific fields and submits.
 */
static __always_inline struct dec_record *decide(__u16 hook, const struct policy_entry *e,
						 __u8 match, int *ret)
{
	struct dec_record *r;
	__u64 id = bpf_get_current_pid_tgid();
	__u8 action;

	if (e->flags & POL_F_MONITOR) {
		*ret = 0;
		action = e->action == POL_ACT_KILL ? DEC_ACT_WOULD_KILL : DEC_ACT_WOULD_DENY;
		stat_inc(LSM_STAT_WOULD_DENY);
	} else if (e->action == POL_ACT_KILL) {
		*ret = -EPERM_;
		action = DEC_ACT_KILLED;
		bpf_send_signal(SIGKILL_);
		stat_inc(LSM_STAT_KILLED);
	} else {
		*ret = -EPERM_;
		action = DEC_ACT_DENIED;
		stat_inc(match == DEC_MATCH_SELF ? LSM_STAT_SELF : LSM_STAT_DENIED);
	}

	r = bpf_ringbuf_reserve(&decisions, sizeof(*r), 0);
	if (!r) {
		stat_inc(LSM_STAT_LOST);
		return NULL;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->hdr.op = EVT_LSM_DECISION;
	r->hdr.size = sizeof(*r);
	r->hdr.ktime = bpf_ktime_get_boot_ns();
	r->hdr.tgid = (__u32)(id >> 32);
	r->hdr.tid = (__u32)id;
	task_fill(&r->task);
	r->rule_id = e->rule_id;
	r->hook = hook;
	r->action = action;
	r->match = match;
	r->ret = *ret;
	r->abi_version = DEC_ABI_VERSION;
	return r;
}

static __always_inline void submit(struct dec_record *r)
{
	stat_inc(LSM_STAT_DECISIONS);
	bpf_ringbuf_submit(r, 0);
}

static __always_inline void subject_str(struct dec_record *r, const char *kstr)
{
	long n;

	if (!kstr)
		return;
	n = bpf_probe_read_kernel_str(r->subject, sizeof(r->subject), kstr);
	if (n > 0)
		r->subject_len = (__u16)n;
}

static __always_inline void subject_dentry(struct dec_record *r, struct dentry *d)
{
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);

	subject_str(r, (const char *)name);
	r->ino = BPF_CORE_READ(d, d_inode, i_ino);
	r->dev = BPF_CORE_READ(d, d_sb, s_dev);
}

/* Subject rules: the caller's uid (or any uid), then its cgroup. */
static __always_inline bool subject_match(__u16 op, struct policy_entry *out, __u8 *match)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry *e;
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	__u64 cg;

	if (!cfg || !(cfg->flags & LSM_CFG_SUBJECTS))
		return false;

	e = bpf_map_lookup_elem(&pol_uid, &uid);
	if (e && (e->ops & op)) {
		*out = *e;
		*match = DEC_MATCH_UID;
		return true;
	}
	uid = POL_ANY_UID;
	e = bpf_map_lookup_elem(&pol_uid, &uid);
	if (e && (e->ops & op)) {
		*out = *e;
		*match = DEC_MATCH_UID;
		return true;
	}
	cg = bpf_get_current_cgroup_id();
	e = bpf_map_lookup_elem(&pol_cgroup, &cg);
	if (e && (e->ops & op)) {
		*out = *e;
		*match = DEC_MATCH_CGROUP;
		return true;
	}
	return false;
}

/*
 * File rules: the dentry's own (dev, inode), then each ancestor directory up to the filesystem root
 * (POL_F_SUBTREE entries only). Negative dentries (rename targets) skip their own lookup.
 */
static __always_inline bool inode_match(struct dentry *d, __u16 op, const struct lsm_config *cfg,
					struct policy_entry *out, __u8 *match)
{
	struct inode_key k = {};
	struct policy_entry *e;
	struct dentry *parent;
	struct inode *inode;
	int i;

	if (!d || !cfg)
		return false;
	k.dev = BPF_CORE_READ(d, d_sb, s_dev);
	for (i = 0; i < POL_MAX_DEPTH; i++) {
		inode = BPF_CORE_READ(d, d_inode);
		if (inode) {
			k.ino = BPF_CORE_READ(inode, i_ino);
			e = bpf_map_lookup_elem(&pol_inode, &k);
			if (e && (e->ops & op) && (i == 0 || (e->flags & POL_F_SUBTREE)) &&
			    !((e->flags & POL_F_ALLOW_SELF) && caller_is_self(cfg))) {
				*out = *e;
				*match = i == 0 && !(e->flags & POL_F_SUBTREE) ? DEC_MATCH_INODE
									       : DEC_MATCH_SUBTREE;
				return true;
			}
		}
		if (!(cfg->flags & LSM_CFG_SUBTREE))
			break; /* no directory entries: the file itself was the only candidate */
		parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d)
			break;
		d = parent;
	}
	return false;
}

static __always_inline bool file_match(struct dentry *d, __u16 op, const struct lsm_config *cfg,
				       struct policy_entry *out, __u8 *match)
{
	return inode_match(d, op, cfg, out, match) || subject_match(op, out, match);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(harrier_bprm_check, struct linux_binprm *bprm)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	struct dentry *d;
	__u8 m = 0;
	int ret = 0;

	if (!enforcing(cfg))
		return 0;
	d = BPF_CORE_READ(bprm, file, f_path.dentry);
	if (!file_match(d, POL_OP_EXEC, cfg, &e, &m))
		return 0;
	r = decide(DEC_HOOK_BPRM_CHECK, &e, m, &ret);
	if (r) {
		subject_dentry(r, d);
		subject_str(r, BPF_CORE_READ(bprm, filename));
		submit(r);
	}
	return ret;
}

SEC("lsm/file_open")
int BPF_PROG(harrier_file_open, struct file *file)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	struct dentry *d;
	__u8 m = 0;
	int ret = 0;

	if (!enforcing(cfg))
		return 0;
	d = BPF_CORE_READ(file, f_path.dentry);
	if (!file_match(d, POL_OP_OPEN, cfg, &e, &m))
		return 0;
	r = decide(DEC_HOOK_FILE_OPEN, &e, m, &ret);
	if (r) {
		subject_dentry(r, d);
		r->aux = BPF_CORE_READ(file, f_flags);
		submit(r);
	}
	return ret;
}

static __always_inline int unlink_common(struct dentry *dentry, __u16 hook)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	__u8 m = 0;
	int ret = 0;

	if (!enforcing(cfg))
		return 0;
	if (!file_match(dentry, POL_OP_UNLINK, cfg, &e, &m))
		return 0;
	r = decide(hook, &e, m, &ret);
	if (r) {
		subject_dentry(r, dentry);
		submit(r);
	}
	return ret;
}

SEC("lsm/inode_unlink")
int BPF_PROG(harrier_inode_unlink, struct inode *dir, struct dentry *dentry)
{
	return unlink_common(dentry, DEC_HOOK_INODE_UNLINK);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(harrier_inode_rmdir, struct inode *dir, struct dentry *dentry)
{
	return unlink_common(dentry, DEC_HOOK_INODE_RMDIR);
}

/*
 * rename and link both give a protected file a new name: the source (old_dentry) is matched as a file, the
 * destination (a protected file being replaced, or a protected directory) as an inode; both use POL_OP_RENAME.
 */
static __always_inline int rename_or_link(struct dentry *old_dentry, struct dentry *new_dentry, __u16 hook)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	struct dentry *d = old_dentry;
	__u8 m = 0;
	int ret = 0;

	if (!enforcing(cfg))
		return 0;
	if (!file_match(old_dentry, POL_OP_RENAME, cfg, &e, &m)) {
		if (!inode_match(new_dentry, POL_OP_RENAME, cfg, &e, &m))
			return 0;
		d = new_dentry;
	}
	r = decide(hook, &e, m, &ret);
	if (r) {
		subject_dentry(r, d);
		submit(r);
	}
	return ret;
}

SEC("lsm/inode_rename")
int BPF_PROG(harrier_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry)
{
	return rename_or_link(old_dentry, new_dentry, DEC_HOOK_INODE_RENAME);
}

/* A hard link is a new name for a protected file: covered by the rename operation. */
SEC("lsm/inode_link")
int BPF_PROG(harrier_inode_link, struct dentry *old_dentry, struct inode *dir,
	     struct dentry *new_dentry)
{
	return rename_or_link(old_dentry, new_dentry, DEC_HOOK_INODE_LINK);
}

/* Reads a sockaddr into an LPM key (port set); false for families other than IPv4/IPv6. */
static __always_inline bool net_key_fill(struct sockaddr *address, int addrlen, struct net_key *k,
					 struct evt_sockaddr *sa)
{
	__u16 family = BPF_CORE_READ(address, sa_family);

	if (family == AF_INET_ && addrlen >= (int)sizeof(struct sockaddr_in)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)address;
		__u16 port = BPF_CORE_READ(sin, sin_port);
		__u32 a = BPF_CORE_READ(sin, sin_addr.s_addr);

		k->family = AF_INET_;
		__builtin_memcpy(k->port, &port, 2);
		__builtin_memcpy(k->addr, &a, 4);
		k->prefixlen = 24 + 32;
	} else if (family == AF_INET6_ && addrlen >= (int)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)address;
		__u16 port = BPF_CORE_READ(sin6, sin6_port);
		__u8 a[16];

		bpf_probe_read_kernel(a, sizeof(a), &sin6->sin6_addr);
		__builtin_memcpy(k->port, &port, 2);
		/* An IPv4-mapped address (::ffff:a.b.c.d) is matched as the IPv4 address. */
		if (*(__u64 *)&a[0] == 0 && *(__u32 *)&a[8] == bpf_htonl(0xffff)) {
			k->family = AF_INET_;
			__builtin_memcpy(k->addr, &a[12], 4);
			k->prefixlen = 24 + 32;
		} else {
			k->family = AF_INET6_;
			__builtin_memcpy(k->addr, a, 16);
			k->prefixlen = 24 + 128;
		}
	} else {
		return false;
	}
	sa->family = k->family;
	sa->port = ((__u16)k->port[0] << 8) | k->port[1];
	__builtin_memcpy(sa->addr, k->addr, 16);
	return true;
}

static __always_inline int net_common(struct socket *sock, struct sockaddr *address, int addrlen,
				      __u16 op, __u16 hook)
{
	struct lsm_config *cfg = config_get();
	struct net_key k = {};
	struct evt_sockaddr sa = {};
	struct policy_entry e, *found;
	struct dec_record *r;
	__u8 m = 0;
	int ret = 0;

	if (!enforcing(cfg) || !address)
		return 0;
	if (!net_key_fill(address, addrlen, &k, &sa))
		return 0;
	found = bpf_map_lookup_elem(&pol_net, &k);
	if (!found || !(found->ops & op)) {
		k.port[0] = 0;
		k.port[1] = 0;
		found = bpf_map_lookup_elem(&pol_net, &k);
	}
	if (found && (found->ops & op)) {
		e = *found;
		m = DEC_MATCH_NET;
	} else if (!subject_match(op, &e, &m)) {
		return 0;
	}
	r = decide(hook, &e, m, &ret);
	if (r) {
		r->addr = sa;
		submit(r);
	}
	return ret;
}

SEC("lsm/socket_connect")
int BPF_PROG(harrier_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return net_common(sock, address, addrlen, POL_OP_CONNECT, DEC_HOOK_SOCKET_CONNECT);
}

SEC("lsm/socket_bind")
int BPF_PROG(harrier_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen)
{
	return net_common(sock, address, addrlen, POL_OP_BIND, DEC_HOOK_SOCKET_BIND);
}

/* A self-protection denial: no policy entry, rule id 0. */
static __always_inline int deny_self(__u16 hook, __u32 target, __u32 aux, const char *ustr)
{
	struct policy_entry e = {.rule_id = 0, .ops = 0, .action = POL_ACT_DENY, .flags = 0};
	struct dec_record *r;
	int ret = 0;

	r = decide(hook, &e, DEC_MATCH_SELF, &ret);
	if (r) {
		r->target = target;
		r->aux = aux;
		if (ustr) {
			long n = bpf_probe_read_user_str(r->subject, sizeof(r->subject), ustr);

			if (n > 0)
				r->subject_len = (__u16)n;
		}
		submit(r);
	}
	return ret;
}

SEC("lsm/task_kill")
int BPF_PROG(harrier_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred)
{
	struct lsm_config *cfg = config_get();
	__u32 target;

	if (!self_protecting(cfg) || sig == 0)
		return 0;
	/* Harmless notifications stay allowed: SIGCHLD, SIGCONT, SIGURG, SIGWINCH. */
	if (sig == 17 || sig == 18 || sig == 23 || sig == 28)
		return 0;
	target = BPF_CORE_READ(p, tgid);
	if (target != cfg->protect_tgid || caller_is_self(cfg))
		return 0;
	/*
	 * The service manager (init: global pid 1) may stop, reload and, when a stop hangs, kill Harrier: systemctl
	 * stop/reload/kill keep working. Any other sender, root included, is refused.
	 */
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == 1)
		return 0;
	return deny_self(DEC_HOOK_TASK_KILL, target, (__u32)sig, NULL);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(harrier_ptrace_access_check, struct task_struct *child, unsigned int mode)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	__u32 target = BPF_CORE_READ(child, tgid);
	__u8 m = 0;
	int ret = 0;

	if (self_protecting(cfg) && target == cfg->protect_tgid && !caller_is_self(cfg))
		return deny_self(DEC_HOOK_PTRACE, target, mode, NULL);
	if (!enforcing(cfg) || !subject_match(POL_OP_PTRACE, &e, &m))
		return 0;
	r = decide(DEC_HOOK_PTRACE, &e, m, &ret);
	if (r) {
		r->target = target;
		r->aux = mode;
		submit(r);
	}
	return ret;
}

static __always_inline bool id_protected(__u32 kind, __u32 id)
{
	struct protected_id_key k = {.kind = kind, .id = id};

	return bpf_map_lookup_elem(&protected_ids, &k) != NULL;
}

static __always_inline bool has_pin_prefix(const char *s)
{
	int i;

	for (i = 0; i < (int)sizeof(pin_prefix) - 1; i++)
		if (s[i] != pin_prefix[i])
			return false;
	return true;
}

SEC("lsm/bpf")
int BPF_PROG(harrier_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	__u8 m = 0;
	int ret = 0;

	if (self_protecting(cfg) && !caller_is_self(cfg)) {
		__u32 id;

		switch (cmd) {
		case BPF_OBJ_GET: {
			char path[sizeof(pin_prefix)] = {};
			const char *upath = (const char *)BPF_CORE_READ(attr, pathname);

			if (bpf_probe_read_user_str(path, sizeof(path), upath) > 0 &&
			    has_pin_prefix(path))
				return deny_self(DEC_HOOK_BPF, (__u32)cmd, 0, upath);
			break;
		}
		case BPF_PROG_GET_FD_BY_ID:
			id = BPF_CORE_READ(attr, prog_id);
			if (id_protected(1, id))
				return deny_self(DEC_HOOK_BPF, (__u32)cmd, id, NULL);
			break;
		case BPF_MAP_GET_FD_BY_ID:
			id = BPF_CORE_READ(attr, map_id);
			if (id_protected(2, id))
				return deny_self(DEC_HOOK_BPF, (__u32)cmd, id, NULL);
			break;
		case BPF_LINK_GET_FD_BY_ID:
			id = BPF_CORE_READ(attr, link_id);
			if (id_protected(3, id))
				return deny_self(DEC_HOOK_BPF, (__u32)cmd, id, NULL);
			break;
		default:
			break;
		}
	}
	if (!enforcing(cfg) || caller_is_self(cfg) || !subject_match(POL_OP_BPF, &e, &m))
		return 0;
	r = decide(DEC_HOOK_BPF, &e, m, &ret);
	if (r) {
		r->target = (__u32)cmd;
		submit(r);
	}
	return ret;
}

/* Any new fd to a protected map or program (however it was asked for) is the enforcer's alone. */
SEC("lsm/bpf_map")
int BPF_PROG(harrier_bpf_map, struct bpf_map *map, fmode_t fmode)
{
	struct lsm_config *cfg = config_get();
	__u32 id;

	if (!self_protecting(cfg) || caller_is_self(cfg))
		return 0;
	id = BPF_CORE_READ(map, id);
	if (!id_protected(2, id))
		return 0;
	return deny_self(DEC_HOOK_BPF, BPF_MAP_GET_FD_BY_ID, id, NULL);
}

SEC("lsm/bpf_prog")
int BPF_PROG(harrier_bpf_prog, struct bpf_prog *prog)
{
	struct lsm_config *cfg = config_get();
	__u32 id;

	if (!self_protecting(cfg) || caller_is_self(cfg))
		return 0;
	id = BPF_CORE_READ(prog, aux, id);
	if (!id_protected(1, id))
		return 0;
	return deny_self(DEC_HOOK_BPF, BPF_PROG_GET_FD_BY_ID, id, NULL);
}

static __always_inline int module_common(__u16 hook, __u32 id)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	__u8 m = 0;
	int ret = 0;

	if (!enforcing(cfg) || !subject_match(POL_OP_MODULE, &e, &m))
		return 0;
	r = decide(hook, &e, m, &ret);
	if (r) {
		r->aux = id;
		submit(r);
	}
	return ret;
}

SEC("lsm/kernel_read_file")
int BPF_PROG(harrier_kernel_read_file, struct file *file, enum kernel_read_file_id id,
	     bool contents)
{
	if (id != READING_MODULE)
		return 0;
	return module_common(DEC_HOOK_KERNEL_READ_FILE, (__u32)id);
}

SEC("lsm/kernel_load_data")
int BPF_PROG(harrier_kernel_load_data, enum kernel_load_data_id id, bool contents)
{
	if (id != LOADING_MODULE)
		return 0;
	return module_common(DEC_HOOK_KERNEL_LOAD_DATA, (__u32)id);
}

SEC("lsm/sb_mount")
int BPF_PROG(harrier_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data)
{
	struct lsm_config *cfg = config_get();
	struct policy_entry e;
	struct dec_record *r;
	__u8 m = 0;
	int ret = 0;

	if (!enforcing(cfg) || !subject_match(POL_OP_MOUNT, &e, &m))
		return 0;
	r = decide(DEC_HOOK_SB_MOUNT, &e, m, &ret);
	if (r) {
		r->target = (__u32)flags;
		subject_str(r, dev_name);
		submit(r);
	}
	return ret;
}
