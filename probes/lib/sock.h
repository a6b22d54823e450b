/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel socket behind an fd: family, type, protocol, local and remote endpoints. */
#ifndef HARRIER_LIB_SOCK_H
#define HARRIER_LIB_SOCK_H

#include "record.h"

#define AF_INET_  2
#define AF_INET6_ 10

/* Fills c's net info from the socket file f. False when f is not a socket. */
static __always_inline bool sock__fill(struct rec_ctx *c, struct file *f)
{
	struct evt_net_info *n = &c->s->rec.net;
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!f || !file__is_socket(f))
		return false;
	c->s->rec.hdr.flags |= EVT_F_FD_SOCKET;
	n->ino = KREAD(f, f_inode, i_ino);
	sock = KCAST(KREAD(f, private_data), struct socket);
	if (!sock)
		return true;
	sk = KREAD(sock, sk);
	if (!sk)
		return true;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	n->family = family;
	n->type = BPF_CORE_READ(sk, sk_type);
	n->protocol = BPF_CORE_READ(sk, sk_protocol);
	if (family == AF_INET_) {
		n->local.family = family;
		n->remote.family = family;
		BPF_CORE_READ_INTO(&n->local.addr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&n->remote.addr, sk, __sk_common.skc_daddr);
	} else if (family == AF_INET6_) {
		n->local.family = family;
		n->remote.family = family;
		BPF_CORE_READ_INTO(&n->local.addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&n->remote.addr, sk, __sk_common.skc_v6_daddr);
	} else {
		return true;
	}
	n->local.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	n->remote.port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return true;
}

#endif /* HARRIER_LIB_SOCK_H */
